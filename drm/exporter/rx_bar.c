// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: memory like VFIO's, from a PCI BAR.
 *
 * VFIO exports BARs: memory without struct pages, which importers reach
 * peer-to-peer through the DMA addresses dma_buf_phys_vec_to_sgt() gives
 * them. An importer that looks for pages behind those addresses finds
 * none. To test importers against that, the exporter binds (through
 * driver_override only) to one PCI device with a memory BAR 2, such as
 * QEMU's ivshmem-plain, and hands out ranges of that BAR as buffers. When
 * the device goes away, its buffers are revoked for good first, as VFIO
 * revokes a device's dma-bufs before it lets go of the device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/dma-buf-mapping.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/pci-p2pdma.h>
#include <linux/slab.h>

#include "rx.h"

#define RX_BAR_INDEX 2

/**
 * struct rx_bar - the bound PCI device whose BAR backs BAR buffers
 * @ref: held by the driver while bound and by each memory range
 * @pdev: the device
 * @provider: its peer-to-peer provider for the BAR
 * @phys: the BAR's CPU physical address
 * @va: the BAR mapped for the CPU, while bound
 * @npages: the BAR's size in pages
 * @used: pages handed out; protected by rx_bar_mutex
 * @buffers: the buffers on this BAR; protected by rx_bar_mutex
 * @access: held for reading while the CPU touches @va, for writing while
 *	    @gone is set
 * @gone: unbound: @va and @provider must not be used any more
 */
struct rx_bar {
	struct kref ref;
	struct pci_dev *pdev;
	struct p2pdma_provider *provider;
	phys_addr_t phys;
	void *va;
	unsigned long npages;
	unsigned long *used;
	struct list_head buffers;
	struct rw_semaphore access;
	bool gone;
};

static DEFINE_MUTEX(rx_bar_mutex);
/* The bound device, or NULL; protected by rx_bar_mutex. */
static struct rx_bar *rx_bar_bound;

/**
 * rx_bar_get - the bound device, referenced
 *
 * Return: the device, or NULL when none is bound.
 */
struct rx_bar *rx_bar_get(void)
{
	struct rx_bar *bar;

	mutex_lock(&rx_bar_mutex);
	bar = rx_bar_bound;
	if (bar)
		kref_get(&bar->ref);
	mutex_unlock(&rx_bar_mutex);
	return bar;
}

static void rx_bar_release(struct kref *ref)
{
	struct rx_bar *bar = container_of(ref, struct rx_bar, ref);

	pci_dev_put(bar->pdev);
	bitmap_free(bar->used);
	kfree(bar);
}

/**
 * rx_bar_put - drop a reference to a device
 * @bar: the device
 */
void rx_bar_put(struct rx_bar *bar)
{
	kref_put(&bar->ref, rx_bar_release);
}

/**
 * rx_bar_get_device - the bound PCI device, for importers that attach as it
 * @dev: out: the device, referenced (put_device() when done)
 *
 * Return: 0, or -ENODEV when none is bound.
 */
int rx_bar_get_device(struct device **dev)
{
	struct rx_bar *bar = rx_bar_get();

	if (!bar)
		return -ENODEV;
	*dev = get_device(&bar->pdev->dev);
	rx_bar_put(bar);
	return 0;
}

/**
 * rx_bar_alloc - hand out a range of the BAR
 * @bar: the device
 * @npages: its size in pages
 * @first: out: its first page
 *
 * Return: 0, -ENODEV when the device is going away, or -ENOSPC.
 */
int rx_bar_alloc(struct rx_bar *bar, unsigned long npages, unsigned long *first)
{
	unsigned long start;
	int ret = 0;

	mutex_lock(&rx_bar_mutex);
	if (rx_bar_bound != bar) {
		ret = -ENODEV;
		goto out;
	}
	start = bitmap_find_next_zero_area(bar->used, bar->npages, 0, npages, 0);
	if (start >= bar->npages) {
		ret = -ENOSPC;
		goto out;
	}
	bitmap_set(bar->used, start, npages);
	*first = start;
out:
	mutex_unlock(&rx_bar_mutex);
	return ret;
}

/**
 * rx_bar_free - give a range back
 * @bar: the device
 * @first: the range's first page
 * @npages: its size
 */
void rx_bar_free(struct rx_bar *bar, unsigned long first, unsigned long npages)
{
	mutex_lock(&rx_bar_mutex);
	bitmap_clear(bar->used, first, npages);
	mutex_unlock(&rx_bar_mutex);
}

/**
 * rx_bar_add_buffer - put a buffer on the device's list
 * @bar: the device
 * @buf: the buffer
 *
 * Return: 0, or -ENODEV when the device is going away.
 */
int rx_bar_add_buffer(struct rx_bar *bar, struct rx_buffer *buf)
{
	int ret = 0;

	mutex_lock(&rx_bar_mutex);
	if (rx_bar_bound == bar)
		list_add_tail(&buf->bar_node, &bar->buffers);
	else
		ret = -ENODEV;
	mutex_unlock(&rx_bar_mutex);
	return ret;
}

/**
 * rx_bar_del_buffer - take a buffer off the list
 * @bar: the device
 * @buf: the buffer
 */
void rx_bar_del_buffer(struct rx_bar *bar, struct rx_buffer *buf)
{
	mutex_lock(&rx_bar_mutex);
	list_del_init(&buf->bar_node);
	mutex_unlock(&rx_bar_mutex);
}

/**
 * rx_bar_phys - the CPU physical address of a page of the BAR
 * @bar: the device
 * @page: the page
 *
 * Return: the address.
 */
phys_addr_t rx_bar_phys(struct rx_bar *bar, unsigned long page)
{
	return bar->phys + ((phys_addr_t)page << PAGE_SHIFT);
}

/**
 * rx_bar_va - the kernel address of a page of the BAR
 * @bar: the device, between rx_bar_access_begin() and rx_bar_access_end()
 * @page: the page
 *
 * Return: the address.
 */
void *rx_bar_va(struct rx_bar *bar, unsigned long page)
{
	return bar->va + (page << PAGE_SHIFT);
}

/**
 * rx_bar_access_begin - keep the device bound while the CPU touches the BAR
 * @bar: the device
 *
 * Return: true, or false (and no access) when it is gone.
 */
bool rx_bar_access_begin(struct rx_bar *bar)
{
	down_read(&bar->access);
	if (!bar->gone)
		return true;
	up_read(&bar->access);
	return false;
}

/**
 * rx_bar_access_end - end what rx_bar_access_begin() began
 * @bar: the device
 */
void rx_bar_access_end(struct rx_bar *bar)
{
	up_read(&bar->access);
}

/**
 * rx_bar_map - map a range of the BAR for an importer, as VFIO does
 * @bar: the device
 * @first: the range's first page
 * @npages: its size
 * @attach: the importer's attachment, its reservation lock held
 * @dir: DMA direction
 *
 * The range is handed over as two physical ranges when it can be, so that
 * importers see a table of more than one entry, as VFIO's can be.
 *
 * Return: the table, or an ERR_PTR: -EINVAL when the importer's device has
 * no peer-to-peer path to the BAR, -ENODEV when the device is gone.
 */
struct sg_table *rx_bar_map(struct rx_bar *bar, unsigned long first, unsigned long npages,
			    struct dma_buf_attachment *attach, enum dma_data_direction dir)
{
	struct phys_vec vec[2];
	size_t n = 1, half = npages / 2;

	if (READ_ONCE(bar->gone))
		return ERR_PTR(-ENODEV);
	vec[0].paddr = rx_bar_phys(bar, first);
	vec[0].len = npages << PAGE_SHIFT;
	if (half) {
		vec[0].len = half << PAGE_SHIFT;
		vec[1].paddr = rx_bar_phys(bar, first + half);
		vec[1].len = (npages - half) << PAGE_SHIFT;
		n = 2;
	}
	return dma_buf_phys_vec_to_sgt(attach, bar->provider, vec, n, npages << PAGE_SHIFT, dir);
}

/**
 * rx_bar_unmap - undo rx_bar_map()
 * @attach: the attachment, its reservation lock held
 * @sgt: the table
 * @dir: DMA direction
 */
void rx_bar_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		  enum dma_data_direction dir)
{
	dma_buf_free_sgt(attach, sgt, dir);
}

/**
 * rx_bar_probe - bind to a device with a memory BAR 2
 * @pdev: the device (driver_override names this driver)
 * @id: unused
 *
 * Return: 0, -EBUSY when a device is bound already, or the error of
 * enabling and mapping it.
 */
static int rx_bar_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	resource_size_t len = pci_resource_len(pdev, RX_BAR_INDEX);
	struct rx_bar *bar;
	int ret;

	if (!(pci_resource_flags(pdev, RX_BAR_INDEX) & IORESOURCE_MEM) ||
	    !len || !PAGE_ALIGNED(len))
		return -ENODEV;
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = pcim_request_region(pdev, RX_BAR_INDEX, KBUILD_MODNAME);
	if (ret)
		return ret;
	ret = pcim_p2pdma_init(pdev);
	if (ret)
		return ret;

	bar = kzalloc_obj(*bar);
	if (!bar)
		return -ENOMEM;
	kref_init(&bar->ref);
	INIT_LIST_HEAD(&bar->buffers);
	init_rwsem(&bar->access);
	bar->phys = pci_resource_start(pdev, RX_BAR_INDEX);
	bar->npages = len >> PAGE_SHIFT;
	bar->provider = pcim_p2pdma_provider(pdev, RX_BAR_INDEX);
	bar->va = devm_memremap(&pdev->dev, bar->phys, len, MEMREMAP_WB);
	bar->used = bitmap_zalloc(bar->npages, GFP_KERNEL);
	if (!bar->provider || IS_ERR(bar->va) || !bar->used) {
		ret = !bar->provider ? -EINVAL : IS_ERR(bar->va) ? PTR_ERR(bar->va) : -ENOMEM;
		bitmap_free(bar->used);
		kfree(bar);
		return ret;
	}
	bar->pdev = pci_dev_get(pdev);

	mutex_lock(&rx_bar_mutex);
	if (rx_bar_bound) {
		mutex_unlock(&rx_bar_mutex);
		rx_bar_put(bar);
		return -EBUSY;
	}
	rx_bar_bound = bar;
	mutex_unlock(&rx_bar_mutex);
	pci_set_drvdata(pdev, bar);
	pci_info(pdev, "BAR %d (%lu KiB) backs BAR buffers\n", RX_BAR_INDEX,
		 (unsigned long)(len >> 10));
	return 0;
}

/**
 * rx_bar_next_buffer - the next live buffer of a device that goes away
 * @bar: the device, no longer bound
 *
 * Return: a buffer taken off the list with a reference on its file, or
 * NULL when none is left. Buffers being freed are skipped: nobody imports
 * them any more.
 */
static struct rx_buffer *rx_bar_next_buffer(struct rx_bar *bar)
{
	struct rx_buffer *buf, *found = NULL;

	mutex_lock(&rx_bar_mutex);
	while (!found && !list_empty(&bar->buffers)) {
		buf = list_first_entry(&bar->buffers, struct rx_buffer, bar_node);
		list_del_init(&buf->bar_node);
		if (get_file_active(&buf->dmabuf->file))
			found = buf;
	}
	mutex_unlock(&rx_bar_mutex);
	return found;
}

/**
 * rx_bar_remove - the device goes away: revoke its buffers for good first
 * @pdev: the device
 *
 * As VFIO does before it lets go of a device, every buffer on the BAR is
 * revoked and waited for until no importer maps it; then CPU access ends.
 */
static void rx_bar_remove(struct pci_dev *pdev)
{
	struct rx_bar *bar = pci_get_drvdata(pdev);
	struct rx_buffer *buf;

	mutex_lock(&rx_bar_mutex);
	rx_bar_bound = NULL;
	mutex_unlock(&rx_bar_mutex);

	while ((buf = rx_bar_next_buffer(bar))) {
		rx_buffer_gone(buf);
		fput(buf->dmabuf->file);
	}
	down_write(&bar->access);
	WRITE_ONCE(bar->gone, true);
	up_write(&bar->access);
	rx_bar_put(bar);
}

/* No IDs: the driver binds only where driver_override names it. */
static const struct pci_device_id rx_bar_ids[] = {
	{ }
};

struct pci_driver rx_bar_driver = {
	.name = KBUILD_MODNAME,
	.id_table = rx_bar_ids,
	.probe = rx_bar_probe,
	.remove = rx_bar_remove,
};

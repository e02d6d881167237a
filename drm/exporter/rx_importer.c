// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: a test importer of known behaviour.
 *
 * It attaches statically or dynamically, maps at once, and answers
 * invalidate_mappings either by unmapping in the callback (like mlx5) or
 * by unmapping from a worker a set time later (like importers that defer
 * the unmap). Flags make it behave like buggy importers on purpose, so
 * tests can show that the exporter catches them: one that maps again at
 * once from its callback and latches the error, and one that writes where
 * a page was after it unmapped. Userspace holds it as an fd; closing the
 * fd unmaps and detaches.
 */
#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "rx.h"

/**
 * struct rx_importer - one test importer
 * @dmabuf: the imported buffer, referenced
 * @dev: the device it attaches as, referenced
 * @attach: the attachment, NULL until published under the lock
 * @flags: REVOKE_IMPORTER_*
 * @unmap_delay_ms: 0 to unmap in the callback, else the worker's delay
 * @unmap_work: the deferred unmap
 * @sgt: the mapping, or NULL; protected by the reservation lock
 * @stale: invalidated but not yet unmapped; protected by the lock
 * @closing: the fd is being released: invalidations change nothing any
 *	     more; protected by the lock
 * @late_page: LATE_WRITER: the first page it ever mapped, referenced so
 *	       that its late write never lands in a freed page; protected by
 *	       the lock
 * @status: what STATUS reports; protected by the lock
 */
struct rx_importer {
	struct dma_buf *dmabuf;
	struct device *dev;
	struct dma_buf_attachment *attach;
	u32 flags;
	u32 unmap_delay_ms;
	struct delayed_work unmap_work;
	struct sg_table *sgt;
	bool stale;
	bool closing;
	struct page *late_page;
	struct revoke_importer_status status;
};

/**
 * rx_importer_unmap_locked - drop the mapping, and the pin with it
 * @imp: the importer, its buffer locked
 */
static void rx_importer_unmap_locked(struct rx_importer *imp)
{
	dma_resv_assert_held(imp->dmabuf->resv);
	if (!imp->sgt)
		return;
	dma_buf_unmap_attachment(imp->attach, imp->sgt, DMA_BIDIRECTIONAL);
	if (imp->flags & REVOKE_IMPORTER_PIN)
		dma_buf_unpin(imp->attach);
	imp->sgt = NULL;
	imp->stale = false;
	imp->status.mapped = 0;
}

/**
 * rx_importer_remember_page - LATE_WRITER: keep the first page's address
 * @imp: the importer, its buffer locked; one of ours (IMPORT checks)
 *
 * The page comes from the exporter's own books: with CONFIG_DMABUF_DEBUG
 * the core hides the table's pages from importers.
 *
 * Return: 0, or -EINVAL when the memory has no struct pages.
 */
static int rx_importer_remember_page(struct rx_importer *imp)
{
	struct page *page;

	if (!(imp->flags & REVOKE_IMPORTER_LATE_WRITER) || imp->late_page)
		return 0;
	page = rx_buffer_first_page(imp->dmabuf);
	if (IS_ERR_OR_NULL(page))
		return -EINVAL;
	get_page(page);
	imp->late_page = page;
	return 0;
}

/**
 * rx_importer_map_locked - map (and pin, if asked) the buffer
 * @imp: the importer, its buffer locked
 *
 * A latched error is returned without asking the exporter again: a
 * LATCH importer only maps again when an invalidation tells it to.
 *
 * Return: 0 or the exporter's error, also kept for STATUS.
 */
static int rx_importer_map_locked(struct rx_importer *imp)
{
	struct sg_table *sgt;
	int ret;

	dma_resv_assert_held(imp->dmabuf->resv);
	if (imp->status.latched)
		return -imp->status.map_error;
	if (imp->stale)
		rx_importer_unmap_locked(imp);
	if (imp->sgt)
		return 0;
	if (imp->flags & REVOKE_IMPORTER_PIN) {
		ret = dma_buf_pin(imp->attach);
		if (ret)
			goto err;
	}
	sgt = dma_buf_map_attachment(imp->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		if (imp->flags & REVOKE_IMPORTER_PIN)
			dma_buf_unpin(imp->attach);
		goto err;
	}
	ret = rx_importer_remember_page(imp);
	if (ret) {
		dma_buf_unmap_attachment(imp->attach, sgt, DMA_BIDIRECTIONAL);
		if (imp->flags & REVOKE_IMPORTER_PIN)
			dma_buf_unpin(imp->attach);
		goto err;
	}
	imp->sgt = sgt;
	imp->status.mapped = 1;
	imp->status.map_error = 0;
	imp->status.maps++;
	return 0;

err:
	imp->status.map_error = -ret;
	if (imp->flags & REVOKE_IMPORTER_LATCH)
		imp->status.latched = 1;
	return ret;
}

/**
 * rx_importer_invalidate - invalidate_mappings: unmap now or schedule it
 * @attach: the attachment
 *
 * Bounded either way: no waiting, and the worker only needs the lock. An
 * EAGER importer maps again at once, which is only right when the exporter
 * lets it map by then. The callback can come before the attachment is
 * published (nothing is mapped then) and while the fd is released.
 */
static void rx_importer_invalidate(struct dma_buf_attachment *attach)
{
	struct rx_importer *imp = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	imp->status.invalidations++;
	if (!imp->attach || imp->closing)
		return;
	if (imp->flags & REVOKE_IMPORTER_EAGER) {
		/* A latched error holds until the next invalidation. */
		imp->status.latched = 0;
		rx_importer_unmap_locked(imp);
		rx_importer_map_locked(imp);
		return;
	}
	if (!imp->sgt)
		return;
	if (!imp->unmap_delay_ms) {
		rx_importer_unmap_locked(imp);
		return;
	}
	imp->stale = true;
	schedule_delayed_work(&imp->unmap_work, msecs_to_jiffies(imp->unmap_delay_ms));
}

/**
 * rx_importer_unmap_work - the deferred unmap
 * @work: rx_importer.unmap_work
 */
static void rx_importer_unmap_work(struct work_struct *work)
{
	struct rx_importer *imp = container_of(to_delayed_work(work),
					       struct rx_importer, unmap_work);

	dma_resv_lock(imp->dmabuf->resv, NULL);
	if (imp->stale)
		rx_importer_unmap_locked(imp);
	dma_resv_unlock(imp->dmabuf->resv);
}

/* Dynamic attachment ops, indexed by [revocable][peer2peer]. */
static const struct dma_buf_attach_ops rx_importer_ops[2][2] = {
	{ { .allow_peer2peer = false }, { .allow_peer2peer = true } },
	{
		{ .allow_peer2peer = false, .invalidate_mappings = rx_importer_invalidate },
		{ .allow_peer2peer = true, .invalidate_mappings = rx_importer_invalidate },
	},
};

/**
 * rx_importer_shut - unmap for good and stop the worker
 * @imp: the importer, whose attachment is published
 *
 * Once closing is set under the lock, no invalidation maps again or arms
 * the worker, so the worker is stopped for good after the cancel.
 */
static void rx_importer_shut(struct rx_importer *imp)
{
	dma_resv_lock(imp->dmabuf->resv, NULL);
	imp->closing = true;
	rx_importer_unmap_locked(imp);
	dma_resv_unlock(imp->dmabuf->resv);
	cancel_delayed_work_sync(&imp->unmap_work);
}

/**
 * rx_importer_release - close: unmap, detach, let go of the buffer
 * @inode: unused
 * @file: the importer fd
 *
 * Return: 0.
 */
static int rx_importer_release(struct inode *inode, struct file *file)
{
	struct rx_importer *imp = file->private_data;

	rx_importer_shut(imp);
	dma_buf_detach(imp->dmabuf, imp->attach);
	dma_buf_put(imp->dmabuf);
	put_device(imp->dev);
	if (imp->late_page)
		put_page(imp->late_page);
	kfree(imp);
	return 0;
}

/**
 * rx_importer_poke - LATE_WRITER's bug: write where the first page was
 * @imp: the importer, its buffer locked
 *
 * Return: 0, -EINVAL without LATE_WRITER, -ENOENT when it never mapped.
 */
static int rx_importer_poke(struct rx_importer *imp)
{
	u32 *va;

	if (!(imp->flags & REVOKE_IMPORTER_LATE_WRITER))
		return -EINVAL;
	if (!imp->late_page)
		return -ENOENT;
	va = kmap_local_page(imp->late_page);
	WRITE_ONCE(va[0], ~REVOKE_EXPORTER_POISON_WORD);
	kunmap_local(va);
	return 0;
}

/**
 * rx_importer_ioctl - MAP, UNMAP, STATUS and POKE on an importer fd
 * @file: the importer fd
 * @cmd: the ioctl
 * @arg: user pointer for STATUS
 *
 * Return: 0, the exporter's map error, -EINTR, -EFAULT, -ENOTTY, or
 * POKE's errors.
 */
static long rx_importer_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct rx_importer *imp = file->private_data;
	struct revoke_importer_status status;
	struct dma_resv *resv = imp->dmabuf->resv;
	int ret = 0;

	if (cmd != REVOKE_IMPORTER_IOCTL_MAP && cmd != REVOKE_IMPORTER_IOCTL_UNMAP &&
	    cmd != REVOKE_IMPORTER_IOCTL_STATUS && cmd != REVOKE_IMPORTER_IOCTL_POKE)
		return -ENOTTY;
	if (dma_resv_lock_interruptible(resv, NULL))
		return -EINTR;
	if (cmd == REVOKE_IMPORTER_IOCTL_MAP)
		ret = rx_importer_map_locked(imp);
	else if (cmd == REVOKE_IMPORTER_IOCTL_UNMAP)
		rx_importer_unmap_locked(imp);
	else if (cmd == REVOKE_IMPORTER_IOCTL_POKE)
		ret = rx_importer_poke(imp);
	status = imp->status;
	dma_resv_unlock(resv);

	if (cmd == REVOKE_IMPORTER_IOCTL_STATUS &&
	    copy_to_user((void __user *)arg, &status, sizeof(status)))
		return -EFAULT;
	return ret;
}

static const struct file_operations rx_importer_fops = {
	.owner = THIS_MODULE,
	.release = rx_importer_release,
	.unlocked_ioctl = rx_importer_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/**
 * rx_importer_create - IMPORT: attach the test importer to a dma-buf and map
 * @dev: the device the importer attaches as, unless it is a PEER
 * @args: the dma-buf and the importer's behaviour
 *
 * Return: the importer's file, for the caller to install in an fd or put,
 * or an ERR_PTR: -EBADF or -EINVAL for a bad fd, -ENODEV for a PEER
 * without the exporter's PCI device, the exporter's attach or map error,
 * -ENOMEM.
 */
struct file *rx_importer_create(struct device *dev, struct revoke_exporter_import *args)
{
	bool dynamic = args->flags & REVOKE_IMPORTER_DYNAMIC;
	const struct dma_buf_attach_ops *ops;
	struct dma_buf_attachment *attach;
	struct rx_importer *imp;
	struct file *file;
	int ret;

	imp = kzalloc_obj(*imp);
	if (!imp)
		return ERR_PTR(-ENOMEM);
	imp->flags = args->flags;
	imp->unmap_delay_ms = args->unmap_delay_ms;
	INIT_DELAYED_WORK(&imp->unmap_work, rx_importer_unmap_work);
	if (args->flags & REVOKE_IMPORTER_PEER) {
		ret = rx_bar_get_device(&imp->dev);
		if (ret)
			goto err_free;
	} else {
		imp->dev = get_device(dev);
	}

	imp->dmabuf = dma_buf_get(args->fd);
	if (IS_ERR(imp->dmabuf)) {
		ret = PTR_ERR(imp->dmabuf);
		goto err_dev;
	}
	/* The deliberate misbehaviours are for our own buffers only. */
	if ((args->flags & (REVOKE_IMPORTER_LATE_WRITER | REVOKE_IMPORTER_EAGER)) &&
	    !rx_buffer_is_ours(imp->dmabuf)) {
		ret = -EOPNOTSUPP;
		goto err_put;
	}
	/*
	 * The callback may run as soon as the attachment is on the buffer's
	 * list, before dma_buf_dynamic_attach() returns: it finds the
	 * attachment unpublished and nothing mapped.
	 */
	if (dynamic) {
		ops = &rx_importer_ops[!!(args->flags & REVOKE_IMPORTER_REVOCABLE)]
				      [!!(args->flags & REVOKE_IMPORTER_P2P)];
		attach = dma_buf_dynamic_attach(imp->dmabuf, imp->dev, ops, imp);
	} else {
		attach = dma_buf_attach(imp->dmabuf, imp->dev);
	}
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto err_put;
	}

	dma_resv_lock(imp->dmabuf->resv, NULL);
	imp->attach = attach;
	ret = rx_importer_map_locked(imp);
	dma_resv_unlock(imp->dmabuf->resv);
	if (ret)
		goto err_unmap;

	file = anon_inode_getfile("[revoke_importer]", &rx_importer_fops, imp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_unmap;
	}
	return file;

err_unmap:
	rx_importer_shut(imp);
	dma_buf_detach(imp->dmabuf, imp->attach);
	if (imp->late_page)
		put_page(imp->late_page);
err_put:
	dma_buf_put(imp->dmabuf);
err_dev:
	put_device(imp->dev);
err_free:
	kfree(imp);
	return ERR_PTR(ret);
}

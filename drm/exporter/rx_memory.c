// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: the memory behind a buffer.
 *
 * Either pages the module allocates (with struct pages, mapped for any
 * device through the DMA API), or a range of the BAR of the exporter's PCI
 * device (no struct pages, mapped peer-to-peer as VFIO maps its BARs).
 * The CPU reaches both for copies, saves and poison checks.
 */
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "rx.h"

/**
 * rx_memory_alloc_pages - allocate zeroed pages
 * @mem: the memory, its size set
 *
 * Return: 0 or -ENOMEM.
 */
static int rx_memory_alloc_pages(struct rx_memory *mem)
{
	unsigned long i;

	mem->pages = kvzalloc_objs(*mem->pages, mem->npages, GFP_KERNEL_ACCOUNT);
	if (!mem->pages)
		return -ENOMEM;
	for (i = 0; i < mem->npages; i++) {
		mem->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!mem->pages[i])
			goto err_pages;
	}
	return 0;

err_pages:
	while (i--)
		__free_page(mem->pages[i]);
	kvfree(mem->pages);
	return -ENOMEM;
}

/**
 * rx_memory_alloc - allocate memory for a buffer
 * @npages: size in pages
 * @bar: from the BAR of the exporter's device instead of the page allocator
 *
 * BAR memory is not zeroed here: the caller fills it.
 *
 * Return: the memory with one reference, or an ERR_PTR: -ENOMEM, or for
 * BAR memory -ENODEV (no device bound) or -ENOSPC (BAR full).
 */
struct rx_memory *rx_memory_alloc(unsigned long npages, bool bar)
{
	struct rx_memory *mem;
	int ret;

	mem = kzalloc_obj(*mem, GFP_KERNEL_ACCOUNT);
	if (!mem)
		return ERR_PTR(-ENOMEM);
	mem->npages = npages;
	kref_init(&mem->ref);
	atomic_set(&mem->mappings, 0);
	INIT_LIST_HEAD(&mem->node);

	if (!bar) {
		ret = rx_memory_alloc_pages(mem);
		if (ret)
			goto err_free;
		return mem;
	}
	mem->bar = rx_bar_get();
	if (!mem->bar) {
		ret = -ENODEV;
		goto err_free;
	}
	ret = rx_bar_alloc(mem->bar, npages, &mem->bar_first);
	if (ret) {
		rx_bar_put(mem->bar);
		goto err_free;
	}
	return mem;

err_free:
	kfree(mem);
	return ERR_PTR(ret);
}

/**
 * rx_memory_alloc_like - allocate memory of the same kind and size
 * @old: the model
 *
 * Return: see rx_memory_alloc().
 */
struct rx_memory *rx_memory_alloc_like(struct rx_memory *old)
{
	return rx_memory_alloc(old->npages, old->bar);
}

static void rx_memory_release(struct kref *ref)
{
	struct rx_memory *mem = container_of(ref, struct rx_memory, ref);
	unsigned long i;

	if (mem->bar) {
		rx_bar_free(mem->bar, mem->bar_first, mem->npages);
		rx_bar_put(mem->bar);
	} else {
		for (i = 0; i < mem->npages; i++)
			__free_page(mem->pages[i]);
		kvfree(mem->pages);
	}
	kfree(mem);
}

/**
 * rx_memory_put - drop a reference to memory
 * @mem: the memory
 */
void rx_memory_put(struct rx_memory *mem)
{
	kref_put(&mem->ref, rx_memory_release);
}

/**
 * rx_memory_table_odd - a table whose first page is two half-page segments
 * @sgt: the table to fill
 * @mem: the memory, pages with struct pages
 *
 * One entry per page otherwise, so nothing merges the halves again.
 *
 * Return: 0 or -ENOMEM.
 */
static int rx_memory_table_odd(struct sg_table *sgt, struct rx_memory *mem)
{
	struct scatterlist *sg;
	unsigned long i;
	int ret;

	ret = sg_alloc_table(sgt, mem->npages + 1, GFP_KERNEL);
	if (ret)
		return ret;
	sg = sgt->sgl;
	sg_set_page(sg, mem->pages[0], PAGE_SIZE / 2, 0);
	sg = sg_next(sg);
	sg_set_page(sg, mem->pages[0], PAGE_SIZE / 2, PAGE_SIZE / 2);
	for (i = 1; i < mem->npages; i++) {
		sg = sg_next(sg);
		sg_set_page(sg, mem->pages[i], PAGE_SIZE, 0);
	}
	return 0;
}

/**
 * rx_memory_map - map the memory for an importer's device
 * @mem: the memory
 * @attach: the importer's attachment, its reservation lock held
 * @dir: DMA direction
 * @odd: split the first page in two segments (REVOKE_EXPORTER_ODD_SEGMENTS)
 *
 * Pages go through the DMA API in segments the device can take. BAR
 * memory is mapped peer-to-peer, as VFIO maps a BAR: a table with DMA
 * addresses only, no struct pages behind them.
 *
 * Return: the table, or an ERR_PTR.
 */
struct sg_table *rx_memory_map(struct rx_memory *mem, struct dma_buf_attachment *attach,
			       enum dma_data_direction dir, bool odd)
{
	struct sg_table *sgt;
	int ret;

	if (mem->bar)
		return rx_bar_map(mem->bar, mem->bar_first, mem->npages, attach, dir);

	sgt = kzalloc_obj(*sgt);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	if (odd)
		ret = rx_memory_table_odd(sgt, mem);
	else
		ret = sg_alloc_table_from_pages_segment(sgt, mem->pages, mem->npages, 0,
							mem->npages << PAGE_SHIFT,
							dma_get_max_seg_size(attach->dev),
							GFP_KERNEL);
	if (ret)
		goto err_free;
	/*
	 * Every importer maps the same pages: overlapping mappings are what a
	 * shared buffer is, and CPU access is bracketed by the dma-buf's own
	 * rules, not per mapping. Tell DMA-API debugging so. The CPU syncs the
	 * DMA API asks for are done, as the system heap's mappings do them:
	 * with swiotlb bouncing, an importer that keeps a mapping for more
	 * than its device does loses data, and the tests see it.
	 */
	ret = dma_map_sgtable(attach->dev, sgt, dir, DMA_ATTR_DEBUGGING_IGNORE_CACHELINES);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

/**
 * rx_memory_unmap - undo rx_memory_map()
 * @mem: the memory
 * @attach: the attachment, its reservation lock held
 * @sgt: the table rx_memory_map() returned
 * @dir: DMA direction
 */
void rx_memory_unmap(struct rx_memory *mem, struct dma_buf_attachment *attach,
		     struct sg_table *sgt, enum dma_data_direction dir)
{
	if (mem->bar) {
		rx_bar_unmap(attach, sgt, dir);
		return;
	}
	dma_unmap_sgtable(attach->dev, sgt, dir, DMA_ATTR_DEBUGGING_IGNORE_CACHELINES);
	sg_free_table(sgt);
	kfree(sgt);
}

/**
 * rx_memory_pfn - the page frame of a page, for CPU mappings
 * @mem: the memory
 * @pgoff: page index
 *
 * Return: the PFN.
 */
unsigned long rx_memory_pfn(struct rx_memory *mem, unsigned long pgoff)
{
	if (mem->bar)
		return PHYS_PFN(rx_bar_phys(mem->bar, mem->bar_first + pgoff));
	return page_to_pfn(mem->pages[pgoff]);
}

/*
 * CPU access to BAR memory is only safe while its device is bound: between
 * these two calls it stays bound. False when it is gone already.
 */
static bool rx_memory_access_begin(struct rx_memory *mem)
{
	return !mem->bar || rx_bar_access_begin(mem->bar);
}

static void rx_memory_access_end(struct rx_memory *mem)
{
	if (mem->bar)
		rx_bar_access_end(mem->bar);
}

/*
 * The kernel address of page @i of @mem; rx_memory_unmap_page() ends it.
 * BAR memory is mapped once for good; pages are mapped locally.
 */
static void *rx_memory_map_page(struct rx_memory *mem, unsigned long i)
{
	if (mem->bar)
		return rx_bar_va(mem->bar, mem->bar_first + i);
	return kmap_local_page(mem->pages[i]);
}

static void rx_memory_unmap_page(struct rx_memory *mem, void *va)
{
	if (!mem->bar)
		kunmap_local(va);
}

/**
 * rx_memory_copy - copy the pages of one memory to another of its size
 * @dst: the destination
 * @src: the source
 */
void rx_memory_copy(struct rx_memory *dst, struct rx_memory *src)
{
	unsigned long i;

	if (WARN_ON(src->bar || dst->bar))
		return;
	for (i = 0; i < src->npages; i++) {
		void *from = rx_memory_map_page(src, i);
		void *to = rx_memory_map_page(dst, i);

		memcpy(to, from, PAGE_SIZE);
		rx_memory_unmap_page(dst, to);
		rx_memory_unmap_page(src, from);
		cond_resched();
	}
}

/**
 * rx_memory_save - copy the contents out (nothing once a BAR is gone)
 * @mem: the memory
 * @to: npages pages of kernel memory
 */
void rx_memory_save(struct rx_memory *mem, void *to)
{
	unsigned long i;

	if (!rx_memory_access_begin(mem))
		return;
	for (i = 0; i < mem->npages; i++) {
		void *va = rx_memory_map_page(mem, i);

		memcpy(to + (i << PAGE_SHIFT), va, PAGE_SIZE);
		rx_memory_unmap_page(mem, va);
		cond_resched();
	}
	rx_memory_access_end(mem);
}

/**
 * rx_memory_load - copy contents in (nothing once a BAR is gone)
 * @mem: the memory
 * @from: npages pages of kernel memory
 */
void rx_memory_load(struct rx_memory *mem, const void *from)
{
	unsigned long i;

	if (!rx_memory_access_begin(mem))
		return;
	for (i = 0; i < mem->npages; i++) {
		void *va = rx_memory_map_page(mem, i);

		memcpy(va, from + (i << PAGE_SHIFT), PAGE_SIZE);
		rx_memory_unmap_page(mem, va);
		cond_resched();
	}
	rx_memory_access_end(mem);
}

/**
 * rx_memory_fill - write one word all over the memory (not a gone BAR)
 * @mem: the memory
 * @word: the word
 */
void rx_memory_fill(struct rx_memory *mem, u32 word)
{
	unsigned long i, w;

	if (!rx_memory_access_begin(mem))
		return;
	for (i = 0; i < mem->npages; i++) {
		u32 *va = rx_memory_map_page(mem, i);

		for (w = 0; w < PAGE_SIZE / sizeof(u32); w++)
			va[w] = word;
		rx_memory_unmap_page(mem, va);
		cond_resched();
	}
	rx_memory_access_end(mem);
}

/**
 * rx_memory_check - count the words that are not @word
 * @mem: the memory
 * @word: the word it was filled with
 * @first: out: the byte offset of the first other word, when there is one
 *
 * Return: how many words differ; 0 for BAR memory whose device is gone.
 */
unsigned long rx_memory_check(struct rx_memory *mem, u32 word, u64 *first)
{
	unsigned long i, w, found = 0;

	if (!rx_memory_access_begin(mem))
		return 0;
	for (i = 0; i < mem->npages; i++) {
		u32 *va = rx_memory_map_page(mem, i);

		for (w = 0; w < PAGE_SIZE / sizeof(u32); w++) {
			if (va[w] == word)
				continue;
			if (!found++)
				*first = ((u64)i << PAGE_SHIFT) + w * sizeof(u32);
		}
		rx_memory_unmap_page(mem, va);
		cond_resched();
	}
	rx_memory_access_end(mem);
	return found;
}

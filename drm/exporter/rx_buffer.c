// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: the buffers, their dma-buf ops, and
 * the revoke, restore and move sequences.
 *
 * Buffers are backed by pages the module owns. REVOKE follows the kernel-doc
 * of dma_buf_invalidate_mappings() step by step, as VFIO does, and reports
 * how long each step took.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "rx.h"

MODULE_IMPORT_NS("DMA_BUF");

/**
 * struct rx_mapping - one mapping of an attachment
 * @sgt: what the importer got; unmap hands it back
 * @ra: the attachment
 * @backing: the pages mapped, referenced until unmap
 */
struct rx_mapping {
	struct sg_table sgt;
	struct rx_attachment *ra;
	struct rx_backing *backing;
};

/**
 * rx_backing_alloc - allocate zeroed pages for a buffer
 * @npages: number of pages
 *
 * Return: the backing with one reference, or NULL without memory.
 */
static struct rx_backing *rx_backing_alloc(unsigned long npages)
{
	struct rx_backing *backing;
	unsigned long i;

	backing = kzalloc_obj(*backing, GFP_KERNEL_ACCOUNT);
	if (!backing)
		return NULL;
	backing->pages = kvzalloc_objs(*backing->pages, npages, GFP_KERNEL_ACCOUNT);
	if (!backing->pages)
		goto err_free;
	for (i = 0; i < npages; i++) {
		backing->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		if (!backing->pages[i])
			goto err_pages;
	}
	backing->npages = npages;
	kref_init(&backing->ref);
	atomic_set(&backing->mappings, 0);
	return backing;

err_pages:
	while (i--)
		__free_page(backing->pages[i]);
	kvfree(backing->pages);
err_free:
	kfree(backing);
	return NULL;
}

/**
 * rx_backing_release - free the pages once nothing references them
 * @ref: the backing's reference count
 */
static void rx_backing_release(struct kref *ref)
{
	struct rx_backing *backing = container_of(ref, struct rx_backing, ref);
	unsigned long i;

	for (i = 0; i < backing->npages; i++)
		__free_page(backing->pages[i]);
	kvfree(backing->pages);
	kfree(backing);
}

/**
 * rx_backing_put - drop a reference to a backing
 * @backing: the backing
 */
static void rx_backing_put(struct rx_backing *backing)
{
	kref_put(&backing->ref, rx_backing_release);
}

/**
 * rx_attach - dma_buf_ops.attach: admit an importer, as VFIO would
 * @dmabuf: the buffer
 * @attach: the new attachment
 *
 * Return: 0, -EOPNOTSUPP for importers the buffer's flags refuse, -ENODEV
 * while the buffer is revoked, or -ENOMEM.
 */
static int rx_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct rx_buffer *buf = dmabuf->priv;
	struct rx_attachment *ra;
	int ret;

	if ((buf->flags & REVOKE_EXPORTER_REQUIRE_P2P) && !attach->peer2peer)
		return -EOPNOTSUPP;
	if (!(buf->flags & REVOKE_EXPORTER_ALLOW_STATIC) &&
	    !dma_buf_attach_revocable(attach))
		return -EOPNOTSUPP;

	ra = kzalloc_obj(*ra);
	if (!ra)
		return -ENOMEM;
	ra->attach = attach;
	if (attach->importer_ops)
		ra->flags |= REVOKE_EXPORTER_ATTACH_DYNAMIC;
	if (dma_buf_attach_revocable(attach))
		ra->flags |= REVOKE_EXPORTER_ATTACH_REVOCABLE;
	if (attach->peer2peer)
		ra->flags |= REVOKE_EXPORTER_ATTACH_P2P;

	ret = dma_resv_lock_interruptible(dmabuf->resv, NULL);
	if (ret)
		goto err_free;
	if (buf->revoked) {
		ret = -ENODEV;
		goto err_unlock;
	}
	ra->id = ++buf->next_attach_id;
	list_add_tail(&ra->node, &buf->attachments);
	buf->count.attach++;
	dma_resv_unlock(dmabuf->resv);

	attach->priv = ra;
	return 0;

err_unlock:
	dma_resv_unlock(dmabuf->resv);
err_free:
	kfree(ra);
	return ret;
}

/**
 * rx_detach - dma_buf_ops.detach: forget an attachment
 * @dmabuf: the buffer
 * @attach: the attachment, unmapped by its importer
 */
static void rx_detach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct rx_buffer *buf = dmabuf->priv;
	struct rx_attachment *ra = attach->priv;

	dma_resv_lock(dmabuf->resv, NULL);
	WARN_ON(ra->mappings);
	list_del(&ra->node);
	buf->count.detach++;
	dma_resv_unlock(dmabuf->resv);
	kfree(ra);
}

/**
 * rx_pin - dma_buf_ops.pin, offered with REVOKE_EXPORTER_PIN: the pages
 * stay where they are (MOVE fails) until unpinned
 * @attach: the pinning attachment
 *
 * Return: 0.
 */
static int rx_pin(struct dma_buf_attachment *attach)
{
	struct rx_buffer *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	buf->pins++;
	return 0;
}

/**
 * rx_unpin - dma_buf_ops.unpin
 * @attach: the attachment that pinned
 */
static void rx_unpin(struct dma_buf_attachment *attach)
{
	struct rx_buffer *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!WARN_ON(!buf->pins))
		buf->pins--;
}

/**
 * rx_map_refusal - why the next map must fail
 * @buf: the buffer, locked
 *
 * An injected error is used up by the first map that would otherwise work.
 *
 * Return: 0, -ENODEV while revoked, or the injected error.
 */
static int rx_map_refusal(struct rx_buffer *buf)
{
	int err;

	if (buf->revoked)
		return -ENODEV;
	err = -(int)buf->fail_next_map;
	buf->fail_next_map = 0;
	return err;
}

/**
 * rx_map - dma_buf_ops.map_dma_buf: map the current pages for the importer
 * @attach: the attachment
 * @dir: DMA direction
 *
 * Return: the mapping, or an ERR_PTR: -ENODEV while revoked, an injected
 * error, or the error of allocation or DMA mapping.
 */
static struct sg_table *rx_map(struct dma_buf_attachment *attach,
			       enum dma_data_direction dir)
{
	struct rx_buffer *buf = attach->dmabuf->priv;
	struct rx_backing *backing = buf->backing;
	struct rx_mapping *map;
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);

	ret = rx_map_refusal(buf);
	if (ret)
		goto err;
	map = kzalloc_obj(*map);
	if (!map) {
		ret = -ENOMEM;
		goto err;
	}
	/* Segments no longer than the importing device can take. */
	ret = sg_alloc_table_from_pages_segment(&map->sgt, backing->pages, backing->npages, 0,
						backing->npages << PAGE_SHIFT,
						dma_get_max_seg_size(attach->dev), GFP_KERNEL);
	if (ret)
		goto err_free;
	/*
	 * Every importer maps the same pages: overlapping mappings are what a
	 * shared buffer is, and CPU access is bracketed by the dma-buf's own
	 * rules, not per mapping. Tell DMA-API debugging so.
	 */
	ret = dma_map_sgtable(attach->dev, &map->sgt, dir, DMA_ATTR_DEBUGGING_IGNORE_CACHELINES);
	if (ret)
		goto err_table;

	kref_get(&backing->ref);
	map->backing = backing;
	map->ra = attach->priv;
	map->ra->mappings++;
	atomic_inc(&backing->mappings);
	atomic_inc(&buf->mappings);
	buf->count.map++;
	return &map->sgt;

err_table:
	sg_free_table(&map->sgt);
err_free:
	kfree(map);
err:
	buf->count.map_failed++;
	return ERR_PTR(ret);
}

/**
 * rx_unmap - dma_buf_ops.unmap_dma_buf: end a mapping, wake the waiters
 * @attach: the attachment
 * @sgt: the mapping rx_map() returned
 * @dir: DMA direction
 */
static void rx_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		     enum dma_data_direction dir)
{
	struct rx_mapping *map = container_of(sgt, struct rx_mapping, sgt);
	struct rx_buffer *buf = attach->dmabuf->priv;

	dma_resv_assert_held(attach->dmabuf->resv);

	dma_unmap_sgtable(attach->dev, sgt, dir, DMA_ATTR_DEBUGGING_IGNORE_CACHELINES);
	sg_free_table(sgt);
	map->ra->mappings--;
	atomic_dec(&map->backing->mappings);
	rx_backing_put(map->backing);
	kfree(map);
	buf->count.unmap++;
	atomic_dec(&buf->mappings);
	wake_up_all(&buf->unmap_wq);
}

/**
 * rx_fault - fault in a page of a CPU mapping of the dma-buf fd
 * @vmf: the fault
 *
 * Takes the reservation lock (after mmap_lock, the order dma-resv primes),
 * so the page comes from the current backing and a revoke cannot race.
 *
 * Return: VM_FAULT_SIGBUS while revoked, else the result of inserting the
 * page; VM_FAULT_NOPAGE to retry after a signal.
 */
static vm_fault_t rx_fault(struct vm_fault *vmf)
{
	struct rx_buffer *buf = vmf->vma->vm_private_data;
	struct dma_resv *resv = buf->dmabuf->resv;
	vm_fault_t ret;

	if (dma_resv_lock_interruptible(resv, NULL))
		return VM_FAULT_NOPAGE;
	if (buf->revoked || vmf->pgoff >= buf->backing->npages)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     page_to_pfn(buf->backing->pages[vmf->pgoff]));
	dma_resv_unlock(resv);
	return ret;
}

static const struct vm_operations_struct rx_vm_ops = {
	.fault = rx_fault,
};

/**
 * rx_mmap - dma_buf_ops.mmap, offered with REVOKE_EXPORTER_MMAP
 * @dmabuf: the buffer
 * @vma: a shared mapping within the buffer (the core checks the range)
 *
 * Pages are inserted by PFN at fault time, so revoke and move can zap them.
 *
 * Return: 0, or -EINVAL for private mappings.
 */
static int rx_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &rx_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

/**
 * rx_release - dma_buf_ops.release: the last reference is gone
 * @dmabuf: the buffer, with no attachments left
 */
static void rx_release(struct dma_buf *dmabuf)
{
	struct rx_buffer *buf = dmabuf->priv;

	WARN_ON(atomic_read(&buf->mappings));
	rx_backing_put(buf->backing);
	kfree(buf);
}

/* One ops table per combination of the optional pin and mmap ops. */
#define RX_OPS(_pin, _unpin, _mmap) {				\
	.attach = rx_attach,					\
	.detach = rx_detach,					\
	.pin = _pin,						\
	.unpin = _unpin,					\
	.map_dma_buf = rx_map,					\
	.unmap_dma_buf = rx_unmap,				\
	.mmap = _mmap,						\
	.release = rx_release,					\
}

static const struct dma_buf_ops rx_ops[4] = {
	RX_OPS(NULL, NULL, NULL),
	RX_OPS(rx_pin, rx_unpin, NULL),
	RX_OPS(NULL, NULL, rx_mmap),
	RX_OPS(rx_pin, rx_unpin, rx_mmap),
};

/**
 * rx_ops_for - the ops table that offers what @flags ask for
 * @flags: REVOKE_EXPORTER_* create flags
 *
 * Return: the ops table.
 */
static const struct dma_buf_ops *rx_ops_for(u32 flags)
{
	return &rx_ops[!!(flags & REVOKE_EXPORTER_PIN) +
		       2 * !!(flags & REVOKE_EXPORTER_MMAP)];
}

/**
 * rx_buffer_create - export a new buffer
 * @size: bytes, a non-zero multiple of the page size (checked by the caller)
 * @flags: REVOKE_EXPORTER_* create flags
 *
 * The dma-buf holds a reference on this module until it is released.
 *
 * Return: a new dma-buf fd, or a negative errno.
 */
int rx_buffer_create(u64 size, u32 flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	struct rx_buffer *buf;
	int fd;

	buf = kzalloc_obj(*buf, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	buf->backing = rx_backing_alloc(size >> PAGE_SHIFT);
	if (!buf->backing) {
		kfree(buf);
		return -ENOMEM;
	}
	buf->flags = flags;
	INIT_LIST_HEAD(&buf->attachments);
	init_waitqueue_head(&buf->unmap_wq);

	exp_info.ops = rx_ops_for(flags);
	exp_info.size = size;
	exp_info.flags = O_RDWR | O_CLOEXEC;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		rx_backing_put(buf->backing);
		kfree(buf);
		return PTR_ERR(dmabuf);
	}
	buf->dmabuf = dmabuf;

	/* From here on rx_release() frees the buffer. */
	fd = dma_buf_fd(dmabuf, O_CLOEXEC);
	if (fd < 0)
		dma_buf_put(dmabuf);
	return fd;
}

/**
 * rx_buffer_get - look up one of our buffers by dma-buf fd
 * @fd: the fd
 *
 * Return: the buffer with a reference on its dma-buf, or an ERR_PTR:
 * -EBADF (not open), -EINVAL (not a dma-buf), -EOPNOTSUPP (another
 * exporter's dma-buf).
 */
struct rx_buffer *rx_buffer_get(int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);

	if (IS_ERR(dmabuf))
		return ERR_CAST(dmabuf);
	if (dmabuf->ops < rx_ops || dmabuf->ops >= rx_ops + ARRAY_SIZE(rx_ops)) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dmabuf->priv;
}

/**
 * rx_buffer_put - drop the reference rx_buffer_get() took
 * @buf: the buffer
 */
void rx_buffer_put(struct rx_buffer *buf)
{
	dma_buf_put(buf->dmabuf);
}

/**
 * rx_count_attachments - fill in who is attached and what is mapped
 * @buf: the buffer, locked
 * @args: where the counts go
 */
static void rx_count_attachments(struct rx_buffer *buf,
				 struct revoke_exporter_revoke *args)
{
	struct rx_attachment *ra;

	dma_resv_assert_held(buf->dmabuf->resv);

	list_for_each_entry(ra, &buf->attachments, node) {
		args->attachments++;
		if (ra->flags & REVOKE_EXPORTER_ATTACH_DYNAMIC)
			args->dynamic++;
		else
			args->static_++;
		if (ra->flags & REVOKE_EXPORTER_ATTACH_REVOCABLE)
			args->revocable++;
	}
	args->mappings_before = atomic_read(&buf->mappings);
}

/**
 * rx_report_holders - name the attachments that still hold a mapping
 * @buf: the buffer, unlocked
 * @args: where the first REVOKE_EXPORTER_MAX_HOLDERS of them go
 *
 * Their pages stay allocated until they unmap; the log says who they are.
 */
static void rx_report_holders(struct rx_buffer *buf,
			      struct revoke_exporter_revoke *args)
{
	struct revoke_exporter_holder *h;
	struct rx_attachment *ra;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	list_for_each_entry(ra, &buf->attachments, node) {
		if (!ra->mappings)
			continue;
		pr_info("unmap wait timed out: attachment %u (%s, %s) holds %u mapping(s)\n",
			ra->id, dev_name(ra->attach->dev),
			ra->flags & REVOKE_EXPORTER_ATTACH_DYNAMIC ? "dynamic" : "static",
			ra->mappings);
		if (args->holders < REVOKE_EXPORTER_MAX_HOLDERS) {
			h = &args->holder[args->holders];
			h->id = ra->id;
			h->flags = ra->flags;
			h->mappings = ra->mappings;
			strscpy(h->device, dev_name(ra->attach->dev));
		}
		args->holders++;
	}
	dma_resv_unlock(buf->dmabuf->resv);
}

/**
 * rx_zap_cpu_mappings - remove the PTEs of every mmap of the dma-buf fd
 * @buf: the buffer, locked
 *
 * The next CPU access faults, and rx_fault() decides under the lock.
 */
static void rx_zap_cpu_mappings(struct rx_buffer *buf)
{
	dma_resv_assert_held(buf->dmabuf->resv);
	unmap_mapping_range(buf->dmabuf->file->f_mapping, 0, 0, 1);
}

/**
 * rx_last_signal - when the last fence of a buffer signalled
 * @resv: the buffer's reservation object, locked, its fences signalled
 *
 * Return: the latest signal time (ktime_get()) of the fences.
 */
static ktime_t rx_last_signal(struct dma_resv *resv)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	ktime_t last = 0;

	dma_resv_assert_held(resv);
	dma_resv_for_each_fence(&cursor, resv, DMA_RESV_USAGE_BOOKKEEP, fence) {
		if (dma_fence_is_signaled(fence))
			last = max(last, dma_fence_timestamp(fence));
	}
	return last;
}

/**
 * rx_wait_fences - wait for every fence of the buffer, bounded
 * @buf: the buffer, locked
 * @timeout_ns: the bound
 * @waited_ns: out: time spent waiting
 * @last_signal: out: when fences were pending, the time the last of them
 *		 signalled; else 0
 *
 * Return: 0 once all fences signalled, -ETIMEDOUT, or -EINTR.
 */
static int rx_wait_fences(struct rx_buffer *buf, u64 timeout_ns, u64 *waited_ns,
			  ktime_t *last_signal)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	ktime_t start = ktime_get(), deadline;
	bool pending;
	s64 left;
	long ret;

	dma_resv_assert_held(resv);
	*last_signal = 0;
	pending = !dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP);
	/*
	 * A wait in jiffies can end up to a tick early by ktime, and under
	 * emulation the tick need not keep time with ktime: wait again until
	 * ktime says the bound passed, so a timeout means @timeout_ns waited.
	 */
	deadline = ktime_add_ns(start, timeout_ns);
	do {
		left = max_t(s64, ktime_to_ns(ktime_sub(deadline, ktime_get())), 0);
		ret = dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, true,
					    nsecs_to_jiffies(left) + 1);
	} while (!ret && ktime_before(ktime_get(), deadline));
	*waited_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (ret > 0) {
		if (pending)
			*last_signal = rx_last_signal(resv);
		return 0;
	}
	return ret ? -EINTR : -ETIMEDOUT;
}

/*
 * Ends the timings of a sequence that finished: the time from the last
 * fence signalling to now, when a fence was pending.
 */
static void rx_signal_to_done(struct revoke_exporter_revoke *args, ktime_t last_signal)
{
	if (last_signal)
		args->signal_to_done_ns = ktime_to_ns(ktime_sub(ktime_get(), last_signal));
}

/**
 * rx_invalidate - tell the importers their mappings are gone, timed
 * @buf: the buffer, locked
 *
 * Return: time spent in the importers' invalidate_mappings callbacks.
 */
static u64 rx_invalidate(struct rx_buffer *buf)
{
	ktime_t start = ktime_get();

	dma_buf_invalidate_mappings(buf->dmabuf);
	return ktime_to_ns(ktime_sub(ktime_get(), start));
}

/**
 * rx_buffer_revoke - take the buffer away from its importers
 * @buf: the buffer
 * @args: the timeout in, the timings and counts out
 *
 * The sequence of dma_buf_invalidate_mappings()'s kernel-doc, as VFIO runs
 * it: under the reservation lock, mark the buffer revoked (new maps and
 * attaches fail with -ENODEV, CPU faults get SIGBUS), invalidate the
 * importers' mappings and wait for all fences, since importers may access
 * the memory until they retire; unlock; then wait until every importer has
 * unmapped, since until then they may still read it speculatively.
 *
 * Return: 0 when no mapping is left; -EALREADY when already revoked;
 * -ETIMEDOUT when a wait passed the timeout (the buffer stays revoked);
 * -EINTR on a signal; -ECANCELED when a restore ended the unmap wait.
 */
int rx_buffer_revoke(struct rx_buffer *buf, struct revoke_exporter_revoke *args)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	ktime_t start, last_signal;
	u32 restores;
	int ret;

	ret = dma_resv_lock_interruptible(resv, NULL);
	if (ret)
		return -EINTR;
	if (buf->revoked) {
		dma_resv_unlock(resv);
		return -EALREADY;
	}
	rx_count_attachments(buf, args);
	buf->revoked = true;
	buf->count.revoke++;
	restores = buf->restores;
	rx_zap_cpu_mappings(buf);
	args->invalidate_ns = rx_invalidate(buf);
	ret = rx_wait_fences(buf, args->timeout_ns, &args->fence_wait_ns, &last_signal);
	dma_resv_unlock(resv);
	if (ret)
		goto out;

	start = ktime_get();
	ret = wait_event_interruptible_hrtimeout(buf->unmap_wq,
						 !atomic_read(&buf->mappings) ||
						 READ_ONCE(buf->restores) != restores,
						 ns_to_ktime(args->timeout_ns));
	args->unmap_wait_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (ret == -ERESTARTSYS) {
		ret = -EINTR;
	} else if (atomic_read(&buf->mappings) && READ_ONCE(buf->restores) != restores) {
		ret = -ECANCELED;
	} else if (ret && atomic_read(&buf->mappings)) {
		ret = -ETIMEDOUT;
	} else {
		ret = 0;
		rx_signal_to_done(args, last_signal);
	}
out:
	args->mappings_after = atomic_read(&buf->mappings);
	if (ret == -ETIMEDOUT && args->mappings_after)
		rx_report_holders(buf, args);
	return ret;
}

/**
 * rx_buffer_restore - let importers map the buffer again
 * @buf: the buffer
 *
 * Clears the revoked state and only then invalidates, in one hold of the
 * reservation lock: importers that re-map when told to (even eagerly,
 * right from their callback) find the buffer mappable. VFIO invalidates
 * while still revoked, which only works for importers that re-map lazily.
 * No fence wait: nothing was mapped while revoked.
 *
 * Return: 0, -EALREADY when not revoked, or -EINTR.
 */
int rx_buffer_restore(struct rx_buffer *buf)
{
	struct dma_resv *resv = buf->dmabuf->resv;

	if (dma_resv_lock_interruptible(resv, NULL))
		return -EINTR;
	if (!buf->revoked) {
		dma_resv_unlock(resv);
		return -EALREADY;
	}
	buf->revoked = false;
	WRITE_ONCE(buf->restores, buf->restores + 1);
	buf->count.restore++;
	dma_buf_invalidate_mappings(buf->dmabuf);
	dma_resv_unlock(resv);
	/* A revoke still waiting for unmaps has been superseded. */
	wake_up_all(&buf->unmap_wq);
	return 0;
}

/**
 * rx_buffer_move - give the buffer new pages with the same contents
 * @buf: the buffer
 * @args: the timeout in, the timings and counts out
 *
 * Under the reservation lock nobody can map, attach fences or fault: wait
 * for the fences, zap CPU mappings and invalidate the importers' mappings
 * (so nobody writes the old pages any more), copy, switch. Unlock and wait
 * until the old pages are unmapped; they are freed with their last mapping.
 *
 * Return: 0; -ENODEV when revoked; -EBUSY when pinned; -ENOMEM;
 * -ETIMEDOUT; -EINTR.
 */
int rx_buffer_move(struct rx_buffer *buf, struct revoke_exporter_revoke *args)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	struct rx_backing *old, *new;
	ktime_t start, last_signal;
	unsigned long i;
	int ret;

	if (dma_resv_lock_interruptible(resv, NULL))
		return -EINTR;
	if (buf->revoked) {
		ret = -ENODEV;
		goto err_unlock;
	}
	if (buf->pins) {
		ret = -EBUSY;
		goto err_unlock;
	}
	rx_count_attachments(buf, args);
	ret = rx_wait_fences(buf, args->timeout_ns, &args->fence_wait_ns, &last_signal);
	if (ret)
		goto err_unlock;
	old = buf->backing;
	new = rx_backing_alloc(old->npages);
	if (!new) {
		ret = -ENOMEM;
		goto err_unlock;
	}

	rx_zap_cpu_mappings(buf);
	args->invalidate_ns = rx_invalidate(buf);
	for (i = 0; i < old->npages; i++)
		copy_highpage(new->pages[i], old->pages[i]);
	/* The buffer's reference to the old pages is now the waiter's. */
	buf->backing = new;
	buf->generation++;
	buf->count.move++;
	dma_resv_unlock(resv);

	start = ktime_get();
	ret = wait_event_interruptible_hrtimeout(buf->unmap_wq, !atomic_read(&old->mappings),
						 ns_to_ktime(args->timeout_ns));
	args->unmap_wait_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	args->mappings_after = atomic_read(&old->mappings);
	rx_backing_put(old);
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (ret && args->mappings_after)
		return -ETIMEDOUT;
	rx_signal_to_done(args, last_signal);
	return 0;

err_unlock:
	dma_resv_unlock(resv);
	return ret;
}

/**
 * rx_buffer_query - report state and counters
 * @buf: the buffer
 * @args: filled in
 *
 * Return: 0 or -EINTR.
 */
int rx_buffer_query(struct rx_buffer *buf, struct revoke_exporter_query *args)
{
	struct rx_attachment *ra;

	if (dma_resv_lock_interruptible(buf->dmabuf->resv, NULL))
		return -EINTR;
	args->size = buf->dmabuf->size;
	args->create_flags = buf->flags;
	args->state = (buf->revoked ? REVOKE_EXPORTER_STATE_REVOKED : 0) |
		      (buf->pins ? REVOKE_EXPORTER_STATE_PINNED : 0);
	list_for_each_entry(ra, &buf->attachments, node)
		args->attachments++;
	args->mappings = atomic_read(&buf->mappings);
	args->generation = buf->generation;
	args->attach = buf->count.attach;
	args->detach = buf->count.detach;
	args->map = buf->count.map;
	args->unmap = buf->count.unmap;
	args->map_failed = buf->count.map_failed;
	args->revoke = buf->count.revoke;
	args->restore = buf->count.restore;
	args->move = buf->count.move;
	dma_resv_unlock(buf->dmabuf->resv);
	return 0;
}

/**
 * rx_buffer_fail_next_map - make the next map fail
 * @buf: the buffer
 * @error: positive errno, or 0 to cancel
 *
 * Return: 0 or -EINTR.
 */
int rx_buffer_fail_next_map(struct rx_buffer *buf, u32 error)
{
	if (dma_resv_lock_interruptible(buf->dmabuf->resv, NULL))
		return -EINTR;
	buf->fail_next_map = error;
	dma_resv_unlock(buf->dmabuf->resv);
	return 0;
}

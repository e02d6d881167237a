// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: the buffers and their dma-buf ops.
 *
 * Attach admits importers the way VFIO does; map and unmap count the
 * mappings per attachment and per memory, so the sequences can wait for
 * them and name who still holds one; the buffer's own mmap faults under
 * the outer lock, as VFIO's BAR mappings fault under memory_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "rx.h"

MODULE_IMPORT_NS("DMA_BUF");

/**
 * struct rx_mapping - one mapping of an attachment
 * @node: in the attachment's list
 * @sgt: what the importer got
 * @memory: the memory mapped, referenced until unmap
 */
struct rx_mapping {
	struct list_head node;
	struct sg_table *sgt;
	struct rx_memory *memory;
};

/**
 * rx_requires_p2p - whether the buffer admits peer-to-peer importers only
 * @buf: the buffer
 *
 * Return: true with REQUIRE_P2P, and for BAR memory, which is reached
 * peer-to-peer only.
 */
static bool rx_requires_p2p(struct rx_buffer *buf)
{
	return buf->flags & (REVOKE_EXPORTER_REQUIRE_P2P | REVOKE_EXPORTER_BAR);
}

/**
 * rx_attach - dma_buf_ops.attach: admit an importer, as VFIO would
 * @dmabuf: the buffer
 * @attach: the new attachment
 *
 * Return: 0, -EOPNOTSUPP for importers the buffer's flags refuse, -ENODEV
 * while the buffer is revoked, -ENOMEM, or -EINTR.
 */
static int rx_attach(struct dma_buf *dmabuf, struct dma_buf_attachment *attach)
{
	struct rx_buffer *buf = dmabuf->priv;
	struct rx_attachment *ra;
	int ret;

	/* In VFIO's order: peer-to-peer, then revoked, then revocable. */
	if (rx_requires_p2p(buf) && !attach->peer2peer)
		return -EOPNOTSUPP;

	ra = kzalloc_obj(*ra);
	if (!ra)
		return -ENOMEM;
	ra->attach = attach;
	INIT_LIST_HEAD(&ra->maps);
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
	if (!(buf->flags & REVOKE_EXPORTER_ALLOW_STATIC) &&
	    !(ra->flags & REVOKE_EXPORTER_ATTACH_REVOCABLE)) {
		ret = -EOPNOTSUPP;
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
 * rx_pin - dma_buf_ops.pin, offered with REVOKE_EXPORTER_PIN: the memory
 * stays where it is (MOVE fails) until unpinned
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
 * Return: 0, -ENODEV while revoked or gone, or the injected error.
 */
static int rx_map_refusal(struct rx_buffer *buf)
{
	int err;

	if (buf->revoked || buf->gone)
		return -ENODEV;
	err = -(int)buf->fail_next_map;
	buf->fail_next_map = 0;
	return err;
}

/**
 * rx_map - dma_buf_ops.map_dma_buf: map the current memory for the importer
 * @attach: the attachment
 * @dir: DMA direction
 *
 * Return: the mapping, or an ERR_PTR: -ENODEV while revoked, an injected
 * error, or the error of allocation or DMA mapping (-EINVAL for BAR
 * memory and a device without a peer-to-peer path to it).
 */
static struct sg_table *rx_map(struct dma_buf_attachment *attach,
			       enum dma_data_direction dir)
{
	struct rx_buffer *buf = attach->dmabuf->priv;
	struct rx_attachment *ra = attach->priv;
	struct rx_memory *mem = buf->memory;
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
	map->sgt = rx_memory_map(mem, attach, dir, buf->flags & REVOKE_EXPORTER_ODD_SEGMENTS);
	if (IS_ERR(map->sgt)) {
		ret = PTR_ERR(map->sgt);
		kfree(map);
		goto err;
	}
	kref_get(&mem->ref);
	map->memory = mem;
	list_add_tail(&map->node, &ra->maps);
	ra->mappings++;
	atomic_inc(&mem->mappings);
	atomic_inc(&buf->mappings);
	buf->count.map++;
	return map->sgt;

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
	struct rx_buffer *buf = attach->dmabuf->priv;
	struct rx_attachment *ra = attach->priv;
	struct rx_mapping *map;

	dma_resv_assert_held(attach->dmabuf->resv);

	list_for_each_entry(map, &ra->maps, node) {
		if (map->sgt == sgt)
			break;
	}
	if (WARN_ON(list_entry_is_head(map, &ra->maps, node)))
		return;
	list_del(&map->node);
	rx_memory_unmap(map->memory, attach, sgt, dir);
	ra->mappings--;
	atomic_dec(&map->memory->mappings);
	rx_memory_put(map->memory);
	kfree(map);
	buf->count.unmap++;
	atomic_dec(&buf->mappings);
	wake_up_all(&buf->unmap_wq);
}

/**
 * rx_fault_wait - wait for what a fault needs without mmap_lock, then retry
 * @vmf: the fault, on its first attempt
 * @buf: the buffer
 * @outer: whether the outer lock is needed
 *
 * As TTM does: the outer lock, the reservation lock and an asynchronous
 * move's copy can take long (a VFIO-like revoke holds the first two until
 * its fences signal), so the wait happens with mmap_lock released, and
 * interruptibly, and the fault is retried.
 *
 * Return: VM_FAULT_RETRY.
 */
static vm_fault_t rx_fault_wait(struct vm_fault *vmf, struct rx_buffer *buf, bool outer)
{
	struct dma_resv *resv = buf->dmabuf->resv;

	if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
		return VM_FAULT_RETRY;
	get_dma_buf(buf->dmabuf);
	release_fault_lock(vmf);
	if (!outer || !down_read_killable(&rx_memory_lock)) {
		if (!dma_resv_lock_interruptible(resv, NULL)) {
			dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, true,
					      MAX_SCHEDULE_TIMEOUT);
			dma_resv_unlock(resv);
		}
		if (outer)
			up_read(&rx_memory_lock);
	}
	dma_buf_put(buf->dmabuf);
	return VM_FAULT_RETRY;
}

/**
 * rx_fault_lock - take what a fault needs: the outer lock, the reservation
 * lock, and no pending copy
 * @vmf: the fault
 * @buf: the buffer
 * @outer: whether the outer lock is needed
 *
 * On a fault's first attempt the waits happen without mmap_lock (see
 * rx_fault_wait()). Otherwise they happen under it: interruptibly only
 * where the fault may be interrupted, else as VFIO's faults wait for
 * memory_lock, so that a pending signal does not spin the fault.
 *
 * Return: 0 with both held and the copy done; VM_FAULT_RETRY after waiting
 * without mmap_lock; VM_FAULT_NOPAGE when a signal ended a wait (the fault
 * is then taken again or the task dies).
 */
static vm_fault_t rx_fault_lock(struct vm_fault *vmf, struct rx_buffer *buf, bool outer)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	bool retry = fault_flag_allow_retry_first(vmf->flags);
	bool intr = vmf->flags & FAULT_FLAG_INTERRUPTIBLE;

	if (outer && !down_read_trylock(&rx_memory_lock)) {
		if (retry)
			return rx_fault_wait(vmf, buf, outer);
		if (!intr)
			down_read(&rx_memory_lock);
		else if (down_read_killable(&rx_memory_lock))
			return VM_FAULT_NOPAGE;
	}
	if (!dma_resv_trylock(resv)) {
		if (retry)
			goto wait;
		if (!intr)
			dma_resv_lock(resv, NULL);
		else if (dma_resv_lock_interruptible(resv, NULL))
			goto err_outer;
	}
	if (dma_resv_test_signaled(resv, DMA_RESV_USAGE_KERNEL))
		return 0;
	if (retry) {
		dma_resv_unlock(resv);
		goto wait;
	}
	if (dma_resv_wait_timeout(resv, DMA_RESV_USAGE_KERNEL, intr, MAX_SCHEDULE_TIMEOUT) > 0)
		return 0;
	dma_resv_unlock(resv);
err_outer:
	if (outer)
		up_read(&rx_memory_lock);
	return VM_FAULT_NOPAGE;

wait:
	if (outer)
		up_read(&rx_memory_lock);
	return rx_fault_wait(vmf, buf, outer);
}

/**
 * rx_fault - fault in a page of a CPU mapping of the dma-buf fd
 * @vmf: the fault
 *
 * Under the outer lock for reading, as VFIO's BAR faults take memory_lock,
 * and the reservation lock, so the page comes from the current memory and
 * no sequence can race; after an asynchronous move, once its copy is done.
 *
 * Return: VM_FAULT_SIGBUS while revoked, else the result of inserting the
 * page; VM_FAULT_RETRY or VM_FAULT_NOPAGE (see rx_fault_lock()).
 */
static vm_fault_t rx_fault(struct vm_fault *vmf)
{
	struct rx_buffer *buf = vmf->vma->vm_private_data;
	bool outer = !(buf->flags & REVOKE_EXPORTER_NO_OUTER_LOCK);
	vm_fault_t ret;

	ret = rx_fault_lock(vmf, buf, outer);
	if (ret)
		return ret;
	if (buf->revoked || buf->gone || vmf->pgoff >= buf->memory->npages)
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     rx_memory_pfn(buf->memory, vmf->pgoff));
	dma_resv_unlock(buf->dmabuf->resv);
	if (outer)
		up_read(&rx_memory_lock);
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
 * With REVOKE_EXPORTER_MMAP_EXPANDABLE, VM_DONTEXPAND is left to the caller.
 *
 * Return: 0, or -EINVAL for private mappings.
 */
static int rx_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct rx_buffer *buf = dmabuf->priv;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_PFNMAP | VM_DONTDUMP);
	if (!(buf->flags & REVOKE_EXPORTER_MMAP_EXPANDABLE))
		vm_flags_set(vma, VM_DONTEXPAND);
	vma->vm_ops = &rx_vm_ops;
	vma->vm_private_data = dmabuf->priv;
	return 0;
}

/**
 * rx_release - dma_buf_ops.release: the last reference is gone
 * @dmabuf: the buffer, with no attachments left
 *
 * Poisoned memory is checked a last time before it is freed.
 */
static void rx_release(struct dma_buf *dmabuf)
{
	struct rx_buffer *buf = dmabuf->priv;
	struct rx_memory *mem = buf->memory;

	WARN_ON(atomic_read(&buf->mappings));
	if (mem->bar)
		rx_bar_del_buffer(mem->bar, buf);
	rx_freeze_del(buf);
	rx_poison_release(buf);
	rx_memory_put(mem);
	kvfree(buf->saved);
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
 * @dmabuf: out: the dma-buf, with the one reference the caller installs
 *	    in an fd or puts
 *
 * The dma-buf holds a reference on this module until it is released.
 *
 * Return: 0, -ENOMEM, or for BAR memory -ENODEV (no device bound) or
 * -ENOSPC (the BAR is full).
 */
int rx_buffer_create(u64 size, u32 flags, struct dma_buf **dmabuf)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct rx_memory *mem;
	struct rx_buffer *buf;
	int ret;

	buf = kzalloc_obj(*buf, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	mem = rx_memory_alloc(size >> PAGE_SHIFT, flags & REVOKE_EXPORTER_BAR);
	if (IS_ERR(mem)) {
		kfree(buf);
		return PTR_ERR(mem);
	}
	if (mem->bar)
		rx_memory_fill(mem, 0);
	buf->memory = mem;
	buf->flags = flags;
	INIT_LIST_HEAD(&buf->attachments);
	INIT_LIST_HEAD(&buf->quarantine);
	INIT_LIST_HEAD(&buf->bar_node);
	INIT_LIST_HEAD(&buf->freeze_node);
	init_waitqueue_head(&buf->unmap_wq);

	exp_info.ops = rx_ops_for(flags);
	exp_info.size = size;
	exp_info.flags = O_RDWR | O_CLOEXEC;
	exp_info.priv = buf;
	*dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(*dmabuf)) {
		rx_memory_put(mem);
		kfree(buf);
		return PTR_ERR(*dmabuf);
	}
	buf->dmabuf = *dmabuf;

	/* From here on rx_release() frees the buffer. */
	if (mem->bar) {
		ret = rx_bar_add_buffer(mem->bar, buf);
		if (ret) {
			dma_buf_put(*dmabuf);
			return ret;
		}
	}
	if (flags & REVOKE_EXPORTER_REVOKE_AT_FREEZE)
		rx_freeze_add(buf);
	return 0;
}

/**
 * rx_buffer_is_ours - whether this module exported a dma-buf
 * @dmabuf: any dma-buf
 *
 * Return: true for our buffers.
 */
bool rx_buffer_is_ours(struct dma_buf *dmabuf)
{
	return dmabuf->ops >= rx_ops && dmabuf->ops < rx_ops + ARRAY_SIZE(rx_ops);
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
	if (!rx_buffer_is_ours(dmabuf)) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dmabuf->priv;
}

/**
 * rx_buffer_first_page - the first page of one of our buffers
 * @dmabuf: any dma-buf, its reservation lock held
 *
 * Return: the page; NULL for BAR memory, which has none; ERR_PTR(-EINVAL)
 * for another exporter's dma-buf.
 */
struct page *rx_buffer_first_page(struct dma_buf *dmabuf)
{
	struct rx_buffer *buf = dmabuf->priv;

	if (!rx_buffer_is_ours(dmabuf))
		return ERR_PTR(-EINVAL);
	dma_resv_assert_held(dmabuf->resv);
	return buf->memory->bar ? NULL : buf->memory->pages[0];
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
 * rx_buffer_query - report state and counters, check the poison
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
	rx_poison_check(buf);
	args->size = buf->dmabuf->size;
	args->create_flags = buf->flags;
	args->state = (buf->revoked ? REVOKE_EXPORTER_STATE_REVOKED : 0) |
		      (buf->pins ? REVOKE_EXPORTER_STATE_PINNED : 0);
	list_for_each_entry(ra, &buf->attachments, node)
		args->attachments++;
	args->mappings = atomic_read(&buf->mappings);
	args->generation = buf->generation;
	args->late_writes = buf->count.late_writes;
	args->late_write_offset = buf->count.late_write_offset;
	args->late_write_holder = buf->count.late_write_holder;
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

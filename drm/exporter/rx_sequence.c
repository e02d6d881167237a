// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: the revoke, restore and move sequences,
 * and the poison that shows an importer touching memory it gave back.
 *
 * REVOKE follows the kernel-doc of dma_buf_invalidate_mappings() step by
 * step and RESTORE follows VFIO's order, both under an outer lock held
 * from start to end as VFIO holds memory_lock, with VFIO's fence wait (no
 * timeout, not interruptible). Flags of the buffer bring back friendlier
 * behaviour where a test names it. Each sequence reports how long its
 * steps took.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "rx.h"

/* How often an unbounded fence wait looks whether RESCUE was asked. */
#define RX_RESCUE_POLL (HZ / 10)

/**
 * rx_outer_lock - take the outer lock for a sequence, as VFIO takes
 * memory_lock for writing, unless the buffer opts out
 * @buf: the buffer
 *
 * Not interruptible, as VFIO's is not.
 *
 * Return: when it was taken, for rx_outer_unlock(); 0 when it was not.
 */
static ktime_t rx_outer_lock(struct rx_buffer *buf)
{
	if (buf->flags & REVOKE_EXPORTER_NO_OUTER_LOCK)
		return 0;
	down_write(&rx_memory_lock);
	return ktime_get();
}

/* The outer lock whatever the buffer's flags, as VFIO's cleanup takes it. */
static void rx_outer_lock_always(void)
{
	down_write(&rx_memory_lock);
}

/**
 * rx_outer_unlock - release what rx_outer_lock() took
 * @buf: the buffer
 * @locked: what rx_outer_lock() returned
 *
 * Return: how long it was held, in ns.
 */
static u64 rx_outer_unlock(struct rx_buffer *buf, ktime_t locked)
{
	u64 held;

	if (buf->flags & REVOKE_EXPORTER_NO_OUTER_LOCK)
		return 0;
	held = ktime_to_ns(ktime_sub(ktime_get(), locked));
	up_write(&rx_memory_lock);
	return held;
}

/**
 * rx_count_attachments - fill in who is attached and what is mapped
 * @buf: the buffer, locked
 * @args: where the counts go
 * @poison: where the attachments holding a mapping are recorded, as the
 *	    ones that will have given the memory back
 */
static void rx_count_attachments(struct rx_buffer *buf, struct revoke_exporter_revoke *args,
				 struct rx_poison *poison)
{
	struct rx_attachment *ra;
	u32 n;

	dma_resv_assert_held(buf->dmabuf->resv);

	memset(poison, 0, sizeof(*poison));
	list_for_each_entry(ra, &buf->attachments, node) {
		args->attachments++;
		if (ra->flags & REVOKE_EXPORTER_ATTACH_DYNAMIC)
			args->dynamic++;
		else
			args->static_++;
		if (ra->flags & REVOKE_EXPORTER_ATTACH_REVOCABLE)
			args->revocable++;
		if (!ra->mappings)
			continue;
		n = poison->holders++;
		if (n < RX_MAX_POISON_HOLDERS) {
			poison->id[n] = ra->id;
			poison->dynamic[n] = ra->flags & REVOKE_EXPORTER_ATTACH_DYNAMIC;
			strscpy(poison->device[n], dev_name(ra->attach->dev));
		}
	}
	args->mappings_before = atomic_read(&buf->mappings);
}

/**
 * rx_unrevocable_mapping - whether an importer without invalidate_mappings maps
 * @buf: the buffer, locked
 *
 * Return: true when such an attachment holds a mapping.
 */
static bool rx_unrevocable_mapping(struct rx_buffer *buf)
{
	struct rx_attachment *ra;

	dma_resv_assert_held(buf->dmabuf->resv);
	list_for_each_entry(ra, &buf->attachments, node)
		if (ra->mappings && !(ra->flags & REVOKE_EXPORTER_ATTACH_REVOCABLE))
			return true;
	return false;
}

/**
 * rx_report_holders - name the attachments that still hold a mapping
 * @buf: the buffer, unlocked
 * @args: where the first REVOKE_EXPORTER_MAX_HOLDERS of them go
 *
 * Their memory stays allocated until they unmap; the log says who they are.
 */
static void rx_report_holders(struct rx_buffer *buf, struct revoke_exporter_revoke *args)
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
 * rx_wait_fences_bounded - wait for every fence, bounded and interruptible
 * @resv: the buffer's reservation object, locked
 * @timeout_ns: the bound
 *
 * A wait in jiffies can end up to a tick early by ktime, and under
 * emulation the tick need not keep time with ktime: wait again until ktime
 * says the bound passed, so a timeout means @timeout_ns waited.
 *
 * Return: 0 once all fences signalled, -ETIMEDOUT, or -EINTR.
 */
static int rx_wait_fences_bounded(struct dma_resv *resv, u64 timeout_ns)
{
	ktime_t deadline = ktime_add_ns(ktime_get(), timeout_ns);
	s64 left;
	long ret;

	do {
		left = max_t(s64, ktime_to_ns(ktime_sub(deadline, ktime_get())), 0);
		ret = dma_resv_wait_timeout(resv, DMA_RESV_USAGE_BOOKKEEP, true,
					    nsecs_to_jiffies(left) + 1);
	} while (!ret && ktime_before(ktime_get(), deadline));
	if (ret > 0)
		return 0;
	return ret ? -EINTR : -ETIMEDOUT;
}

/**
 * rx_wait_fences_vfio - wait for every fence as VFIO does
 * @buf: the buffer, locked
 *
 * No timeout and no signal ends the wait, as in VFIO. It only looks, now
 * and then, whether RESCUE asked it to give up, so that a test whose fence
 * never signals can report that and go on, and whether the task was
 * killed, so that a test runner can still kill a hung test.
 *
 * Return: 0 once all fences signalled, -ECONNABORTED, or -EINTR when the
 * task was killed.
 */
static int rx_wait_fences_vfio(struct rx_buffer *buf)
{
	long ret;

	do {
		ret = dma_resv_wait_timeout(buf->dmabuf->resv, DMA_RESV_USAGE_BOOKKEEP, false,
					    RX_RESCUE_POLL);
		if (!ret && fatal_signal_pending(current))
			return -EINTR;
	} while (!ret && !atomic_read(&buf->rescue));
	return ret ? 0 : -ECONNABORTED;
}

/**
 * rx_wait_fences - wait for every fence of the buffer, timed
 * @buf: the buffer, locked
 * @bounded: bounded by @timeout_ns and interruptible, else as VFIO waits
 * @timeout_ns: the bound
 * @waited_ns: out: time spent waiting
 * @last_signal: out: when fences were pending, the time the last of them
 *		 signalled; else 0
 *
 * Return: 0 once all fences signalled, -ETIMEDOUT, -EINTR or -ECONNABORTED.
 */
static int rx_wait_fences(struct rx_buffer *buf, bool bounded, u64 timeout_ns, u64 *waited_ns,
			  ktime_t *last_signal)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	ktime_t start = ktime_get();
	bool pending;
	int ret;

	dma_resv_assert_held(resv);
	*last_signal = 0;
	pending = !dma_resv_test_signaled(resv, DMA_RESV_USAGE_BOOKKEEP);
	ret = bounded ? rx_wait_fences_bounded(resv, timeout_ns) : rx_wait_fences_vfio(buf);
	*waited_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (!ret && pending)
		*last_signal = rx_last_signal(resv);
	return ret;
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
 * rx_poison_report - log and count words written after the last unmap
 * @buf: the buffer, locked
 * @mem: the poisoned memory
 * @found: how many words changed
 * @offset: the byte offset of the first
 */
static void rx_poison_report(struct rx_buffer *buf, struct rx_memory *mem,
			     unsigned long found, u64 offset)
{
	struct rx_poison *p = &mem->poison;
	u32 i;

	if (!buf->count.late_writes) {
		buf->count.late_write_offset = offset;
		buf->count.late_write_holder = p->holders ? p->id[0] : 0;
	}
	buf->count.late_writes += found;
	pr_err("%lu word(s) of %zu-byte dma-buf %llu written after the last unmap, the first at offset %#llx\n",
	       found, buf->dmabuf->size, (u64)file_inode(buf->dmabuf->file)->i_ino, offset);
	for (i = 0; i < min(p->holders, RX_MAX_POISON_HOLDERS); i++)
		pr_err("  it had been mapped by attachment %u (%s, %s)\n", p->id[i],
		       p->device[i], p->dynamic[i] ? "dynamic" : "static");
}

/**
 * rx_poison_check_memory - look for writes into poisoned memory
 * @buf: the buffer, locked
 * @mem: the memory
 *
 * What is found is reported and poisoned again, so that it is reported
 * once.
 */
static void rx_poison_check_memory(struct rx_buffer *buf, struct rx_memory *mem)
{
	unsigned long found;
	u64 offset = 0;

	if (!mem->poisoned)
		return;
	found = rx_memory_check(mem, REVOKE_EXPORTER_POISON_WORD, &offset);
	if (!found)
		return;
	rx_poison_report(buf, mem, found, offset);
	rx_memory_fill(mem, REVOKE_EXPORTER_POISON_WORD);
}

/**
 * rx_poison_check - check all poisoned memory of a buffer
 * @buf: the buffer, locked
 *
 * Memory a move left behind is freed once checked: the check comes at the
 * start of the next sequence, at each QUERY and at the release.
 */
void rx_poison_check(struct rx_buffer *buf)
{
	struct rx_memory *mem, *tmp;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (!buf->gone)
		rx_poison_check_memory(buf, buf->memory);
	list_for_each_entry_safe(mem, tmp, &buf->quarantine, node) {
		rx_poison_check_memory(buf, mem);
		list_del(&mem->node);
		rx_memory_put(mem);
	}
}

/**
 * rx_poison_release - the last check, as the buffer is freed
 * @buf: the buffer, no longer shared
 */
void rx_poison_release(struct rx_buffer *buf)
{
	dma_resv_lock(buf->dmabuf->resv, NULL);
	rx_poison_check(buf);
	dma_resv_unlock(buf->dmabuf->resv);
}

/**
 * rx_poison_revoked - save the contents of a revoked buffer and poison it
 * @buf: the buffer, locked, revoked, with no mapping left
 * @poison: who had held it
 *
 * Return: the bytes poisoned; 0 without memory to save the contents in.
 */
static u64 rx_poison_revoked(struct rx_buffer *buf, struct rx_poison *poison)
{
	struct rx_memory *mem = buf->memory;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (buf->gone || mem->poisoned)
		return 0;
	buf->saved = kvmalloc(buf->dmabuf->size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!buf->saved)
		return 0;
	rx_memory_save(mem, buf->saved);
	rx_memory_fill(mem, REVOKE_EXPORTER_POISON_WORD);
	mem->poison = *poison;
	mem->poisoned = true;
	return buf->dmabuf->size;
}

/**
 * rx_unpoison_restored - check the poison and bring the contents back
 * @buf: the buffer, locked, still revoked
 */
static void rx_unpoison_restored(struct rx_buffer *buf)
{
	struct rx_memory *mem = buf->memory;

	rx_poison_check(buf);
	if (!mem->poisoned)
		return;
	rx_memory_load(mem, buf->saved);
	kvfree(buf->saved);
	buf->saved = NULL;
	mem->poisoned = false;
}

/**
 * rx_wait_unmapped - wait until no importer maps the memory any more
 * @buf: the buffer, unlocked
 * @mappings: the counter to wait for (the buffer's or one memory's)
 * @timeout_ns: the bound
 * @cancel: whether a restore ends the wait
 * @restores: the buffer's restore count when the sequence began
 * @waited_ns: out: time spent
 *
 * Return: 0, -ETIMEDOUT, -EINTR, or -ECANCELED when a restore ended it.
 */
static int rx_wait_unmapped(struct rx_buffer *buf, atomic_t *mappings, u64 timeout_ns,
			    bool cancel, u32 restores, u64 *waited_ns)
{
	ktime_t start = ktime_get();
	int ret;

	ret = wait_event_interruptible_hrtimeout(buf->unmap_wq,
						 !atomic_read(mappings) ||
						 (cancel && READ_ONCE(buf->restores) != restores),
						 ns_to_ktime(timeout_ns));
	*waited_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	if (!atomic_read(mappings))
		return 0;
	if (ret == -ERESTARTSYS)
		return -EINTR;
	if (cancel && READ_ONCE(buf->restores) != restores)
		return -ECANCELED;
	return -ETIMEDOUT;
}

/**
 * rx_buffer_revoke - take the buffer away from its importers
 * @buf: the buffer
 * @args: the timeout in, the timings and counts out
 *
 * The sequence of dma_buf_invalidate_mappings()'s kernel-doc, as VFIO runs
 * it, all under the outer lock: under the reservation lock, mark the buffer
 * revoked (new maps and attaches fail with -ENODEV, CPU faults get SIGBUS),
 * invalidate the importers' mappings and wait for all fences, since
 * importers may access the memory until they retire; unlock; then wait
 * until every importer has unmapped, since until then they may still read
 * it speculatively. Then the memory they gave back is poisoned, its
 * contents kept aside for the restore.
 *
 * Return: 0 when no mapping is left; -EALREADY when already revoked;
 * -ETIMEDOUT when a wait passed the timeout (the buffer stays revoked);
 * -EINTR on a signal; -ECANCELED when a restore ended the unmap wait;
 * -ECONNABORTED when RESCUE ended the fence wait.
 */
int rx_buffer_revoke(struct rx_buffer *buf, struct revoke_exporter_revoke *args)
{
	bool bounded = buf->flags & REVOKE_EXPORTER_BOUNDED_FENCE_WAIT;
	struct dma_resv *resv = buf->dmabuf->resv;
	ktime_t locked, last_signal;
	struct rx_poison poison;
	u32 restores;
	int ret;

	locked = rx_outer_lock(buf);
	if (bounded && dma_resv_lock_interruptible(resv, NULL)) {
		ret = -EINTR;
		goto out_outer;
	} else if (!bounded) {
		dma_resv_lock(resv, NULL);
	}
	if (buf->revoked) {
		dma_resv_unlock(resv);
		ret = -EALREADY;
		goto out_outer;
	}
	atomic_set(&buf->rescue, 0);
	rx_poison_check(buf);
	rx_count_attachments(buf, args, &poison);
	buf->revoked = true;
	buf->count.revoke++;
	restores = buf->restores;
	rx_zap_cpu_mappings(buf);
	args->invalidate_ns = rx_invalidate(buf);
	ret = rx_wait_fences(buf, bounded, args->timeout_ns, &args->fence_wait_ns, &last_signal);
	dma_resv_unlock(resv);
	if (ret)
		goto out;

	/* Under the outer lock no restore can come; without it, one ends the wait. */
	ret = rx_wait_unmapped(buf, &buf->mappings, args->timeout_ns,
			       buf->flags & REVOKE_EXPORTER_NO_OUTER_LOCK, restores,
			       &args->unmap_wait_ns);
	if (ret)
		goto out;
	rx_signal_to_done(args, last_signal);
	if (args->mappings_before) {
		dma_resv_lock(resv, NULL);
		if (buf->revoked)
			args->poisoned = rx_poison_revoked(buf, &poison);
		dma_resv_unlock(resv);
	}
out:
	args->mappings_after = atomic_read(&buf->mappings);
	if (ret == -ETIMEDOUT && args->mappings_after)
		rx_report_holders(buf, args);
out_outer:
	args->locked_ns = rx_outer_unlock(buf, locked);
	return ret;
}

/**
 * rx_restore_clear_first - RESTORE in the order before VFIO's
 * @buf: the buffer, locked, revoked
 *
 * Clears the revoked state and only then invalidates, in one hold of the
 * reservation lock: importers that re-map when told to, even eagerly from
 * their callback, find the buffer mappable.
 */
static void rx_restore_clear_first(struct rx_buffer *buf)
{
	rx_unpoison_restored(buf);
	buf->revoked = false;
	WRITE_ONCE(buf->restores, buf->restores + 1);
	buf->count.restore++;
	dma_buf_invalidate_mappings(buf->dmabuf);
}

/**
 * rx_buffer_restore - let importers map the buffer again
 * @buf: the buffer
 *
 * VFIO's order, under the outer lock: under the reservation lock,
 * invalidate while the buffer is still revoked and wait for the fences as
 * VFIO does; unlock; and only under a second hold of the lock bring the
 * contents back and clear the revoked state. An importer that re-maps at
 * once when told to gets -ENODEV; it must re-map lazily, and not latch the
 * error. REVOKE_EXPORTER_RESTORE_CLEAR_FIRST keeps the older order.
 *
 * Return: 0, -EALREADY when not revoked, -ENODEV when the BAR's device
 * went away, -EINTR, or -ECONNABORTED when RESCUE ended the fence wait
 * (the buffer stays revoked).
 */
int rx_buffer_restore(struct rx_buffer *buf)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	ktime_t locked;
	u64 revokes;
	int ret = 0;

	locked = rx_outer_lock(buf);
	if (dma_resv_lock_interruptible(resv, NULL)) {
		ret = -EINTR;
		goto out;
	}
	if (!buf->revoked || buf->gone) {
		dma_resv_unlock(resv);
		ret = buf->gone ? -ENODEV : -EALREADY;
		goto out;
	}
	if (buf->flags & REVOKE_EXPORTER_RESTORE_CLEAR_FIRST) {
		rx_restore_clear_first(buf);
		dma_resv_unlock(resv);
		goto out;
	}
	atomic_set(&buf->rescue, 0);
	revokes = buf->count.revoke;
	dma_buf_invalidate_mappings(buf->dmabuf);
	ret = rx_wait_fences_vfio(buf);
	dma_resv_unlock(resv);
	if (ret)
		goto out;

	/*
	 * Without the outer lock another RESTORE, a REVOKE or the device's
	 * removal may have come in between: only the same revoke is undone.
	 */
	dma_resv_lock(resv, NULL);
	if (buf->revoked && !buf->gone && buf->count.revoke == revokes) {
		rx_unpoison_restored(buf);
		buf->revoked = false;
		WRITE_ONCE(buf->restores, buf->restores + 1);
		buf->count.restore++;
	} else {
		ret = buf->gone ? -ENODEV : -EALREADY;
	}
	dma_resv_unlock(resv);
out:
	rx_outer_unlock(buf, locked);
	/* A revoke still waiting for unmaps has been superseded. */
	wake_up_all(&buf->unmap_wq);
	return ret;
}

/**
 * rx_move_begin - the part of a move under the reservation lock
 * @buf: the buffer, locked
 * @args: the request in, timings and counts out
 * @old: out: the memory moved from, with the buffer's former reference
 * @fence: out: the copy's fence for an asynchronous move, else NULL
 * @last_signal: out: see rx_wait_fences()
 *
 * Nobody can map, attach fences or fault meanwhile: zap CPU mappings and
 * invalidate the importers' mappings, then wait for the fences, including
 * any an importer added from its callback (until they signal it may still
 * write the old memory), and copy or have the copy started, and switch.
 *
 * Return: 0; -ENODEV when revoked; -EBUSY when pinned, or when an importer
 * that cannot be invalidated holds a mapping (it would go on using the old
 * pages); -EOPNOTSUPP for BAR memory; -ENOMEM; -ETIMEDOUT; -EINTR.
 */
static int rx_move_begin(struct rx_buffer *buf, struct revoke_exporter_revoke *args,
			 struct rx_memory **old, struct dma_fence **fence, ktime_t *last_signal)
{
	struct rx_memory *new;
	int ret;

	if (buf->revoked || buf->gone)
		return -ENODEV;
	if (buf->pins || rx_unrevocable_mapping(buf))
		return -EBUSY;
	if (buf->memory->bar)
		return -EOPNOTSUPP;
	rx_poison_check(buf);
	rx_count_attachments(buf, args, &buf->memory->poison);
	*old = buf->memory;
	new = rx_memory_alloc_like(*old);
	if (IS_ERR(new))
		return PTR_ERR(new);

	rx_zap_cpu_mappings(buf);
	args->invalidate_ns = rx_invalidate(buf);
	ret = rx_wait_fences(buf, true, args->timeout_ns, &args->fence_wait_ns, last_signal);
	if (ret)
		goto err_free;
	*fence = NULL;
	if (args->flags & REVOKE_EXPORTER_MOVE_ASYNC) {
		rx_memory_fill(new, REVOKE_EXPORTER_STALE_WORD);
		*fence = rx_move_start(buf, *old, new, args->delay_ms);
		if (IS_ERR(*fence)) {
			ret = PTR_ERR(*fence);
			goto err_free;
		}
	} else {
		rx_memory_copy(new, *old);
	}
	buf->memory = new;
	buf->generation++;
	buf->count.move++;
	return 0;

err_free:
	rx_memory_put(new);
	return ret;
}

/**
 * rx_wait_copy - wait for an asynchronous move's copy, bounded
 * @fence: the copy's fence
 * @timeout_ns: the bound, on CLOCK_MONOTONIC (see rx_wait_fences_bounded())
 *
 * Return: 0, -ETIMEDOUT or -EINTR.
 */
static int rx_wait_copy(struct dma_fence *fence, u64 timeout_ns)
{
	ktime_t deadline = ktime_add_ns(ktime_get(), timeout_ns);
	long ret;
	s64 left;

	do {
		left = max_t(s64, ktime_to_ns(ktime_sub(deadline, ktime_get())), 0);
		ret = dma_fence_wait_timeout(fence, true, nsecs_to_jiffies(left) + 1);
	} while (!ret && ktime_before(ktime_get(), deadline));
	if (ret > 0)
		return 0;
	return ret ? -EINTR : -ETIMEDOUT;
}

/**
 * rx_buffer_move - give the buffer new pages with the same contents
 * @buf: the buffer
 * @args: the timeout and flags in, the timings and counts out
 *
 * See rx_move_begin() for the part under the reservation lock. Then wait
 * until the old pages are unmapped and, for an asynchronous move, copied;
 * poison them, and keep them until the next check.
 *
 * Return: 0 or what rx_move_begin() returns; after the switch -ETIMEDOUT
 * or -EINTR when the old pages are still mapped or being copied.
 */
int rx_buffer_move(struct rx_buffer *buf, struct revoke_exporter_revoke *args)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	struct dma_fence *fence = NULL;
	struct rx_memory *old = NULL;
	ktime_t last_signal;
	int ret;

	if (dma_resv_lock_interruptible(resv, NULL))
		return -EINTR;
	ret = rx_move_begin(buf, args, &old, &fence, &last_signal);
	dma_resv_unlock(resv);
	if (ret)
		return ret;

	ret = rx_wait_unmapped(buf, &old->mappings, args->timeout_ns, false, 0,
			       &args->unmap_wait_ns);
	args->mappings_after = atomic_read(&old->mappings);
	if (!ret && fence)
		ret = rx_wait_copy(fence, args->timeout_ns);
	if (fence)
		dma_fence_put(fence);
	if (ret) {
		/* The old pages are freed with their last mapping or copy. */
		rx_memory_put(old);
		return ret;
	}
	rx_signal_to_done(args, last_signal);

	/* Once in the quarantine, a poison check may free the old pages. */
	args->poisoned = (u64)old->npages << PAGE_SHIFT;
	dma_resv_lock(resv, NULL);
	rx_memory_fill(old, REVOKE_EXPORTER_POISON_WORD);
	old->poisoned = true;
	list_add_tail(&old->node, &buf->quarantine);
	dma_resv_unlock(resv);
	return 0;
}

/**
 * rx_buffer_rescue - end an unbounded fence wait on this buffer
 * @buf: the buffer
 *
 * Takes no lock: the sequence it rescues holds them.
 */
void rx_buffer_rescue(struct rx_buffer *buf)
{
	atomic_set(&buf->rescue, 1);
	wake_up_all(&buf->unmap_wq);
}

/**
 * rx_buffer_gone - revoke a buffer for good, its device going away
 * @buf: a buffer of the BAR of that device
 *
 * As VFIO does when a device is released: under the outer lock, revoke
 * and wait for the fences and for every importer to unmap, without a
 * bound, before the device's memory goes. Poison found until then is
 * reported. Only RESCUE ends the waits early.
 */
void rx_buffer_gone(struct rx_buffer *buf)
{
	struct dma_resv *resv = buf->dmabuf->resv;

	rx_outer_lock_always();
	dma_resv_lock(resv, NULL);
	atomic_set(&buf->rescue, 0);
	rx_poison_check(buf);
	buf->gone = true;
	if (!buf->revoked)
		buf->count.revoke++;
	buf->revoked = true;
	kvfree(buf->saved);
	buf->saved = NULL;
	buf->memory->poisoned = false;
	rx_zap_cpu_mappings(buf);
	dma_buf_invalidate_mappings(buf->dmabuf);
	rx_wait_fences_vfio(buf);
	dma_resv_unlock(resv);
	wait_event(buf->unmap_wq, !atomic_read(&buf->mappings) || atomic_read(&buf->rescue));
	if (atomic_read(&buf->mappings))
		pr_err("the BAR's device went away while %d mapping(s) of a buffer remained\n",
		       atomic_read(&buf->mappings));
	up_write(&rx_memory_lock);
}

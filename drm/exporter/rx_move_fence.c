// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: asynchronous moves.
 *
 * TTM drivers move a buffer by switching it to new memory at once and
 * leaving the copy to the GPU; the copy's fence goes into the reservation
 * object as DMA_RESV_USAGE_KERNEL, and a dynamic importer must wait for
 * such fences before it touches a mapping it made. Here a worker copies
 * after a delay, so an importer that does not wait reads what the new
 * pages hold until then (REVOKE_EXPORTER_STALE_WORD), and its writes are
 * overwritten by the copy.
 */
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "rx.h"

/**
 * struct rx_move_fence - the fence of one asynchronous copy
 * @base: the fence, first: the core frees the whole with it
 * @work: the copy
 * @dmabuf: the buffer, referenced until the copy is done
 * @from: the old memory, referenced until then
 * @to: the new memory, referenced until then
 */
struct rx_move_fence {
	struct dma_fence base;
	struct delayed_work work;
	struct dma_buf *dmabuf;
	struct rx_memory *from;
	struct rx_memory *to;
};

/* The core frees the fence with kfree_rcu(), which must free all of it. */
static_assert(offsetof(struct rx_move_fence, base) == 0);

/* Flushed at module exit, so no copy outlives the module's code. */
static struct workqueue_struct *rx_move_wq;

static const char *rx_move_driver_name(struct dma_fence *fence)
{
	return KBUILD_MODNAME;
}

static const char *rx_move_timeline_name(struct dma_fence *fence)
{
	return "move";
}

/*
 * No release or wait op: once signalled, the fence drops its ops and no
 * longer needs this module; until then its worker holds the buffer, and
 * with it the module.
 */
static const struct dma_fence_ops rx_move_fence_ops = {
	.get_driver_name = rx_move_driver_name,
	.get_timeline_name = rx_move_timeline_name,
};

/**
 * rx_move_copy - the worker: copy, signal, let go
 * @work: rx_move_fence.work
 */
static void rx_move_copy(struct work_struct *work)
{
	struct rx_move_fence *f = container_of(to_delayed_work(work), struct rx_move_fence, work);
	bool cookie = dma_fence_begin_signalling();

	rx_memory_copy(f->to, f->from);
	dma_fence_signal(&f->base);
	dma_fence_end_signalling(cookie);
	rx_memory_put(f->from);
	rx_memory_put(f->to);
	dma_buf_put(f->dmabuf);
	dma_fence_put(&f->base);
}

/**
 * rx_move_start - publish the copy's fence and start the copy
 * @buf: the buffer, locked
 * @from: the memory to copy from
 * @to: the memory to copy to
 * @delay_ms: how long the copy waits before it starts
 *
 * Return: the fence, with a reference for the caller, or an ERR_PTR
 * (-ENOMEM).
 */
struct dma_fence *rx_move_start(struct rx_buffer *buf, struct rx_memory *from,
				struct rx_memory *to, unsigned int delay_ms)
{
	struct dma_resv *resv = buf->dmabuf->resv;
	struct rx_move_fence *f;
	int ret;

	dma_resv_assert_held(resv);
	ret = dma_resv_reserve_fences(resv, 1);
	if (ret)
		return ERR_PTR(ret);
	f = kzalloc_obj(*f);
	if (!f)
		return ERR_PTR(-ENOMEM);
	/*
	 * A context of its own: copies of different buffers finish in any
	 * order, and fences of one context must signal in order.
	 */
	dma_fence_init(&f->base, &rx_move_fence_ops, NULL, dma_fence_context_alloc(1), 1);
	INIT_DELAYED_WORK(&f->work, rx_move_copy);
	get_dma_buf(buf->dmabuf);
	f->dmabuf = buf->dmabuf;
	kref_get(&from->ref);
	f->from = from;
	kref_get(&to->ref);
	f->to = to;

	/* The reference of dma_fence_init() is the worker's. */
	dma_resv_add_fence(resv, &f->base, DMA_RESV_USAGE_KERNEL);
	queue_delayed_work(rx_move_wq, &f->work, msecs_to_jiffies(delay_ms));
	return dma_fence_get(&f->base);
}

/**
 * rx_move_fence_init - a workqueue for the copies, which signal fences
 *
 * Return: 0 or -ENOMEM.
 */
int rx_move_fence_init(void)
{
	rx_move_wq = alloc_workqueue("revoke_exporter_move", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	return rx_move_wq ? 0 : -ENOMEM;
}

/**
 * rx_move_fence_fini - wait for the copies still running, and for RCU
 * readers that may still look at a fence's ops
 */
void rx_move_fence_fini(void)
{
	destroy_workqueue(rx_move_wq);
	synchronize_rcu();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: revoke during a system sleep.
 *
 * A device powered down for a system sleep loses its memory, and VFIO
 * revokes the dma-bufs of a device whose memory is disabled. Buffers
 * created with REVOKE_EXPORTER_REVOKE_AT_FREEZE are revoked in the late
 * phase of a freeze, after every device's freeze callback has run: their
 * importers are invalidated while their own devices are frozen already.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>

#include "rx.h"

/* Bounds the unmap wait; the fence wait is VFIO's, unbounded. */
#define RX_FREEZE_TIMEOUT_NS (5ull * NSEC_PER_SEC)

/*
 * A test's bound on a revoke at freeze, fence and unmap wait together:
 * above it, or when the revoke fails, the exporter logs an error, which
 * fails the test through the kernel log check. 0: no bound.
 */
static unsigned int freeze_bound_ms;
module_param(freeze_bound_ms, uint, 0600);
MODULE_PARM_DESC(freeze_bound_ms, "log an error when a revoke at freeze takes longer (0: no bound)");

static DEFINE_MUTEX(rx_freeze_mutex);
/* Buffers to revoke at the next freeze; protected by rx_freeze_mutex. */
static LIST_HEAD(rx_freeze_buffers);
static struct platform_device *rx_freeze_pdev;

/**
 * rx_freeze_add - revoke a buffer at every freeze from now on
 * @buf: the buffer
 */
void rx_freeze_add(struct rx_buffer *buf)
{
	mutex_lock(&rx_freeze_mutex);
	list_add_tail(&buf->freeze_node, &rx_freeze_buffers);
	mutex_unlock(&rx_freeze_mutex);
}

/**
 * rx_freeze_del - take a buffer that is being released off the list
 * @buf: the buffer
 */
void rx_freeze_del(struct rx_buffer *buf)
{
	mutex_lock(&rx_freeze_mutex);
	list_del_init(&buf->freeze_node);
	mutex_unlock(&rx_freeze_mutex);
}

static void rx_freeze_revoke(struct rx_buffer *buf)
{
	struct revoke_exporter_revoke args = { .timeout_ns = RX_FREEZE_TIMEOUT_NS };
	u64 bound_ns = (u64)READ_ONCE(freeze_bound_ms) * NSEC_PER_MSEC;
	u64 waited_ns;
	int ret;

	ret = rx_buffer_revoke(buf, &args);
	/* Revoked at an earlier freeze and not restored since. */
	if (ret == -EALREADY)
		return;

	waited_ns = args.fence_wait_ns + args.unmap_wait_ns;
	pr_info("revoked at freeze: %d, fence wait %llu us, unmap wait %llu us, %u mapping(s) left\n",
		ret, div_u64(args.fence_wait_ns, NSEC_PER_USEC),
		div_u64(args.unmap_wait_ns, NSEC_PER_USEC), args.mappings_after);
	/* After the resume a late unmap would hide what went wrong here. */
	if (ret || args.mappings_after)
		pr_err("revoke at freeze failed: %d, %u mapping(s) left\n",
		       ret, args.mappings_after);
	else if (bound_ns && waited_ns > bound_ns)
		pr_err("revoke at freeze took %llu ms, above the bound of %u ms\n",
		       div_u64(waited_ns, NSEC_PER_MSEC), freeze_bound_ms);
}

static int rx_freeze_late(struct device *dev)
{
	struct rx_buffer *buf;

	mutex_lock(&rx_freeze_mutex);
	list_for_each_entry(buf, &rx_freeze_buffers, freeze_node)
		rx_freeze_revoke(buf);
	mutex_unlock(&rx_freeze_mutex);
	return 0;
}

static const struct dev_pm_ops rx_freeze_pm_ops = {
	.freeze_late = rx_freeze_late,
};

static struct platform_driver rx_freeze_driver = {
	.driver = {
		.name = "revoke_exporter_sleep",
		.pm = &rx_freeze_pm_ops,
	},
};

/**
 * rx_freeze_init - register the device whose late freeze revokes
 *
 * Return: 0 or a negative errno.
 */
int rx_freeze_init(void)
{
	int ret;

	ret = platform_driver_register(&rx_freeze_driver);
	if (ret)
		return ret;
	rx_freeze_pdev = platform_device_register_simple("revoke_exporter_sleep",
							 PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(rx_freeze_pdev)) {
		platform_driver_unregister(&rx_freeze_driver);
		return PTR_ERR(rx_freeze_pdev);
	}
	return 0;
}

/**
 * rx_freeze_fini - unregister the device and its driver
 */
void rx_freeze_fini(void)
{
	platform_device_unregister(rx_freeze_pdev);
	platform_driver_unregister(&rx_freeze_driver);
}

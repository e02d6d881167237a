// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: stub until its issue lands, so the test
 * bed can build, load and unload an out-of-tree module.
 */
#include <linux/module.h>

static int __init revoke_exporter_init(void)
{
	return 0;
}
module_init(revoke_exporter_init);

static void __exit revoke_exporter_exit(void)
{
}
module_exit(revoke_exporter_exit);

MODULE_DESCRIPTION("Revocable dma-buf test exporter");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0
/*
 * Revocable dma-buf test exporter: the misc device and its ioctls.
 *
 * /dev/revoke_exporter (root only) creates dma-bufs that can be revoked,
 * restored and moved the way VFIO and other exporters do it, so importers
 * can be tested against the revoke contract. See revoke_exporter.h.
 */
#include <linux/device/faux.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/uaccess.h>

#include "rx.h"

#define RX_MAX_TIMEOUT_NS (60ull * NSEC_PER_SEC)
#define RX_MAX_UNMAP_DELAY_MS 60000

/*
 * As VFIO's memory_lock of a device: held for writing through a whole
 * revoke or restore, for reading by CPU faults of the buffers' mmaps.
 */
DECLARE_RWSEM(rx_memory_lock);

/* The device the test importer attaches as: DMA-capable, like vgem's. */
static struct faux_device *rx_importer_dev;

/**
 * rx_install_fd - hand a new file to userspace through an ioctl's struct
 * @file: the file, whose reference goes to the fd or is put
 * @uarg: the user's struct
 * @args: its copy, with room for the fd at @fd
 * @fd: where the fd goes in @args
 * @size: the struct's size
 *
 * The fd is installed only once the struct was copied back: an fd that
 * userspace was never told of would leak.
 *
 * Return: 0, -EFAULT or -EMFILE.
 */
static int rx_install_fd(struct file *file, void __user *uarg, void *args, s32 *fd,
			 size_t size)
{
	*fd = get_unused_fd_flags(O_CLOEXEC);
	if (*fd < 0) {
		fput(file);
		return *fd;
	}
	if (copy_to_user(uarg, args, size)) {
		put_unused_fd(*fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(*fd, file);
	return 0;
}

/**
 * rx_ioctl_create - CREATE: check the arguments, export a buffer
 * @uarg: struct revoke_exporter_create
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_create(void __user *uarg)
{
	struct revoke_exporter_create args;
	struct dma_buf *dmabuf;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (!args.size || !PAGE_ALIGNED(args.size) || args.size > REVOKE_EXPORTER_MAX_SIZE ||
	    args.flags & ~REVOKE_EXPORTER_CREATE_FLAGS ||
	    ((args.flags & REVOKE_EXPORTER_BAR) && (args.flags & REVOKE_EXPORTER_ODD_SEGMENTS)) ||
	    ((args.flags & REVOKE_EXPORTER_MMAP_EXPANDABLE) &&
	     !(args.flags & REVOKE_EXPORTER_MMAP)))
		return -EINVAL;
	ret = rx_buffer_create(args.size, args.flags, &dmabuf);
	if (ret)
		return ret;
	return rx_install_fd(dmabuf->file, uarg, &args, &args.fd, sizeof(args));
}

/**
 * rx_ioctl_sequence - REVOKE and MOVE: run one, report its figures
 * @uarg: struct revoke_exporter_revoke
 * @move: true for MOVE
 *
 * The figures are copied back on success and whenever the sequence ran,
 * so callers see the timings of a timed-out wait too.
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_sequence(void __user *uarg, bool move)
{
	struct revoke_exporter_revoke args;
	struct rx_buffer *buf;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(move ? REVOKE_EXPORTER_MOVE_ASYNC : 0) ||
	    (args.delay_ms && !(args.flags & REVOKE_EXPORTER_MOVE_ASYNC)) ||
	    args.delay_ms > REVOKE_EXPORTER_MAX_MOVE_DELAY_MS ||
	    !args.timeout_ns || args.timeout_ns > RX_MAX_TIMEOUT_NS)
		return -EINVAL;
	buf = rx_buffer_get(args.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	/* Only the inputs go in; every output starts at 0. */
	args = (struct revoke_exporter_revoke){
		.fd = args.fd,
		.flags = args.flags,
		.timeout_ns = args.timeout_ns,
		.delay_ms = args.delay_ms,
	};
	ret = move ? rx_buffer_move(buf, &args) : rx_buffer_revoke(buf, &args);
	rx_buffer_put(buf);
	if (ret && ret != -ETIMEDOUT && ret != -EINTR && ret != -ECANCELED &&
	    ret != -ECONNABORTED)
		return ret;
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return ret;
}

/**
 * rx_ioctl_restore - RESTORE, or RESCUE
 * @uarg: struct revoke_exporter_buf
 * @rescue: true for RESCUE
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_restore(void __user *uarg, bool rescue)
{
	struct revoke_exporter_buf args;
	struct rx_buffer *buf;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	buf = rx_buffer_get(args.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = 0;
	if (rescue)
		rx_buffer_rescue(buf);
	else
		ret = rx_buffer_restore(buf);
	rx_buffer_put(buf);
	return ret;
}

/**
 * rx_ioctl_query - QUERY
 * @uarg: struct revoke_exporter_query
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_query(void __user *uarg)
{
	struct revoke_exporter_query args;
	struct rx_buffer *buf;
	int fd, ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags)
		return -EINVAL;
	buf = rx_buffer_get(args.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	fd = args.fd;
	memset(&args, 0, sizeof(args));
	args.fd = fd;
	ret = rx_buffer_query(buf, &args);
	rx_buffer_put(buf);
	if (ret)
		return ret;
	if (copy_to_user(uarg, &args, sizeof(args)))
		return -EFAULT;
	return 0;
}

/**
 * rx_ioctl_fail_map - FAIL_MAP
 * @uarg: struct revoke_exporter_fail_map
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_fail_map(void __user *uarg)
{
	struct revoke_exporter_fail_map args;
	struct rx_buffer *buf;
	int ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	/* 512 and above are the kernel's own, never for userspace. */
	if (args.error >= ERESTARTSYS)
		return -EINVAL;
	buf = rx_buffer_get(args.fd);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	ret = rx_buffer_fail_next_map(buf, args.error);
	rx_buffer_put(buf);
	return ret;
}

/**
 * rx_ioctl_import - IMPORT: attach the test importer
 * @uarg: struct revoke_exporter_import
 *
 * Return: 0 or a negative errno.
 */
static int rx_ioctl_import(void __user *uarg)
{
	struct revoke_exporter_import args;
	struct file *file;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~REVOKE_IMPORTER_FLAGS ||
	    (!(args.flags & REVOKE_IMPORTER_DYNAMIC) &&
	     args.flags & (REVOKE_IMPORTER_REVOCABLE | REVOKE_IMPORTER_PIN)) ||
	    (args.flags & REVOKE_IMPORTER_EAGER &&
	     (!(args.flags & REVOKE_IMPORTER_REVOCABLE) || args.unmap_delay_ms)) ||
	    args.unmap_delay_ms > RX_MAX_UNMAP_DELAY_MS)
		return -EINVAL;
	file = rx_importer_create(&rx_importer_dev->dev, &args);
	if (IS_ERR(file))
		return PTR_ERR(file);
	return rx_install_fd(file, uarg, &args, &args.importer_fd, sizeof(args));
}

/**
 * rx_ioctl - the misc device's ioctls
 * @file: the open device
 * @cmd: the ioctl
 * @arg: user pointer to its argument
 *
 * Return: 0 or a negative errno; -ENOTTY for unknown ioctls, including
 * known ones with a wrong argument size.
 */
static long rx_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case REVOKE_EXPORTER_IOCTL_CREATE:
		return rx_ioctl_create(uarg);
	case REVOKE_EXPORTER_IOCTL_REVOKE:
		return rx_ioctl_sequence(uarg, false);
	case REVOKE_EXPORTER_IOCTL_MOVE:
		return rx_ioctl_sequence(uarg, true);
	case REVOKE_EXPORTER_IOCTL_RESTORE:
		return rx_ioctl_restore(uarg, false);
	case REVOKE_EXPORTER_IOCTL_RESCUE:
		return rx_ioctl_restore(uarg, true);
	case REVOKE_EXPORTER_IOCTL_QUERY:
		return rx_ioctl_query(uarg);
	case REVOKE_EXPORTER_IOCTL_FAIL_MAP:
		return rx_ioctl_fail_map(uarg);
	case REVOKE_EXPORTER_IOCTL_IMPORT:
		return rx_ioctl_import(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations rx_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = rx_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice rx_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "revoke_exporter",
	.fops = &rx_fops,
	.mode = 0600,
};

/**
 * rx_init - register the sleep device, the importer device, the BAR driver
 * and the misc device
 *
 * Return: 0 or a negative errno.
 */
static int __init rx_init(void)
{
	int ret;

	ret = rx_move_fence_init();
	if (ret)
		return ret;
	ret = rx_freeze_init();
	if (ret)
		goto err_fence;
	rx_importer_dev = faux_device_create("revoke_importer", NULL, NULL);
	if (!rx_importer_dev) {
		ret = -ENODEV;
		goto err_freeze;
	}
	ret = dma_coerce_mask_and_coherent(&rx_importer_dev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err_destroy;
	ret = pci_register_driver(&rx_bar_driver);
	if (ret)
		goto err_destroy;
	ret = misc_register(&rx_misc);
	if (ret)
		goto err_pci;
	return 0;

err_pci:
	pci_unregister_driver(&rx_bar_driver);
err_destroy:
	faux_device_destroy(rx_importer_dev);
err_freeze:
	rx_freeze_fini();
err_fence:
	rx_move_fence_fini();
	return ret;
}
module_init(rx_init);

/**
 * rx_exit - unregister; no buffer or importer is left, each holds a
 * reference on the module
 */
static void __exit rx_exit(void)
{
	misc_deregister(&rx_misc);
	pci_unregister_driver(&rx_bar_driver);
	faux_device_destroy(rx_importer_dev);
	rx_freeze_fini();
	rx_move_fence_fini();
}
module_exit(rx_exit);

MODULE_DESCRIPTION("Revocable dma-buf test exporter");
MODULE_LICENSE("GPL");

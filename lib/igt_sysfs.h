/* SPDX-License-Identifier: MIT */
/* The part of IGT's igt_sysfs.h the tests use: reading and writing an attribute. */
#ifndef IGT_SYSFS_H
#define IGT_SYSFS_H

/* Bytes read or written, or -errno; EINTR and EAGAIN are retried. */
int igt_sysfs_read(int dir, const char *attr, void *data, int len);
int igt_sysfs_write(int dir, const char *attr, const void *data, int len);

#endif /* IGT_SYSFS_H */

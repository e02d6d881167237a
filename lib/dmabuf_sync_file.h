/* SPDX-License-Identifier: MIT */
/* Moving fences between a dma-buf's reservation and sync_files, with
 * IGT's names. */
#ifndef DMABUF_SYNC_FILE_H
#define DMABUF_SYNC_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/dma-buf.h>

int dmabuf_export_sync_file(int dmabuf, uint32_t flags);
void dmabuf_import_sync_file(int dmabuf, uint32_t flags, int sync_fd);
bool dmabuf_busy(int dmabuf, uint32_t flags);

#endif /* DMABUF_SYNC_FILE_H */

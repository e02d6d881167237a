/* SPDX-License-Identifier: MIT */
/* vgem buffers and fences, with IGT's names. */
#ifndef IGT_VGEM_H
#define IGT_VGEM_H

#include <stdbool.h>
#include <stdint.h>

struct vgem_bo {
	uint32_t handle;
	uint32_t width, height;
	uint32_t bpp, pitch;
	uint64_t size;
};

int __vgem_create(int fd, struct vgem_bo *bo);
void vgem_create(int fd, struct vgem_bo *bo);

void *__vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot);
void *vgem_mmap(int fd, struct vgem_bo *bo, unsigned int prot);

uint32_t vgem_fence_attach(int fd, struct vgem_bo *bo, unsigned int flags);
#define VGEM_FENCE_WRITE 0x1
int __vgem_fence_signal(int fd, uint32_t fence);
void vgem_fence_signal(int fd, uint32_t fence);

#endif /* IGT_VGEM_H */

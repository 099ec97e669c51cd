/* Block device names from numbers, as BPF programs report them. */
#ifndef WHYSLOW_BLOCKDEV_H
#define WHYSLOW_BLOCKDEV_H

#include <stddef.h>
#include <stdint.h>

/* BPF programs store dev_t the kernel's way: major << 20 | minor. */
static inline unsigned kdev_major(uint32_t dev) { return dev >> 20; }
static inline unsigned kdev_minor(uint32_t dev) { return dev & ((1u << 20) - 1); }
static inline uint32_t kdev_make(unsigned major, unsigned minor) { return major << 20 | minor; }

/* The device's name ("vda", "loop3") from /sys/dev/block, or "MAJ:MIN" if it is gone.
 * Returns buf. */
const char *blockdev_name(uint32_t kdev, char *buf, size_t size);

#endif

/* File-system operations traced by fsdist, fsslower and filetop (shared by their kernel
 * and user sides). */
#ifndef WHYSLOW_FSOPS_H
#define WHYSLOW_FSOPS_H

enum fs_op { FS_NONE, FS_READ, FS_WRITE, FS_OPEN, FS_FSYNC, FS_OP_COUNT };

#define FS_NAME_LEN 16   /* a file system type ("ext4"), like the kernel's names */
#define FS_FILE_LEN 64   /* a file's last path component, truncated */
#define FS_MAX_SYSCALL 512 /* syscall numbers below this are looked up */

/* Kind of file, for filetop: bcc's R (regular), S (socket), O (other). */
enum fs_file_kind { FS_KIND_REGULAR, FS_KIND_SOCKET, FS_KIND_OTHER };

#endif

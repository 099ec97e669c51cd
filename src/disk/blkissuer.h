/* User side of the issuer tracking in bpf/block.h, shared by biosnoop, bitesize and
 * biotop: fills the filters DEFINE_BLK_ISSUERS declares and picks the block_io_start
 * program (tp_btf, raw_tp, or none on kernels before 6.5). skel is any skeleton whose
 * object uses DEFINE_BLK_ISSUERS and names its programs io_start_btf/io_start_raw. */
#ifndef WHYSLOW_BLKISSUER_H
#define WHYSLOW_BLKISSUER_H

#include <sys/sysmacros.h>
#include "lib/blockdev.h"
#include "lib/bpf.h"

#define blk_issuer_setup(skel, has_dev_filter, dev, pid, use_btf, have_io_start)           \
	do {                                                                               \
		(skel)->rodata->filter_dev = (has_dev_filter);                             \
		(skel)->rodata->targ_dev = kdev_make(major(dev), minor(dev));              \
		(skel)->rodata->filter_pid = (pid) > 0;                                    \
		(skel)->rodata->targ_pid = (uint32_t)(pid);                                \
		(skel)->rodata->have_io_start = (have_io_start);                           \
		wbpf_pick((skel)->progs.io_start_btf, (skel)->progs.io_start_raw,          \
			  (use_btf) && (have_io_start));                                   \
		if (!(have_io_start))                                                      \
			bpf_program__set_autoload((skel)->progs.io_start_raw, false);      \
	} while (0)

#endif

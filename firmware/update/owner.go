package update

import (
	"os"
	"path/filepath"
	"syscall"
)

// matchOwner gives paths the owner of their directory when this process
// runs as root (the updater, a technician's kioskd update …): a file root
// leaves in kioskd's data directory must stay kioskd's to read and
// replace. Missing paths are skipped.
func matchOwner(paths ...string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	for _, p := range paths {
		fi, err := os.Stat(filepath.Dir(p))
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		if err := os.Lchown(p, int(st.Uid), int(st.Gid)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

package load

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// RSS returns the resident set size of process pid and its peak (VmRSS
// and VmHWM of /proc/PID/status), in bytes. It works on Linux only.
func RSS(pid int) (now, peak int64, err error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	var haveNow, havePeak bool
	for line := range strings.Lines(string(data)) {
		name, value, _ := strings.Cut(line, ":")
		switch name {
		case "VmRSS":
			now, err = parseKB(value)
			haveNow = true
		case "VmHWM":
			peak, err = parseKB(value)
			havePeak = true
		}
		if err != nil {
			return 0, 0, fmt.Errorf("load: process %d: %s: %w", pid, name, err)
		}
	}
	// Kernel threads and zombies have no memory of their own to report.
	if !haveNow || !havePeak {
		return 0, 0, fmt.Errorf("load: process %d: no VmRSS or VmHWM in its status", pid)
	}
	return now, peak, nil
}

// parseKB parses a /proc status value such as "  123456 kB" into bytes.
func parseKB(s string) (int64, error) {
	f := strings.Fields(s)
	if len(f) != 2 || f[1] != "kB" {
		return 0, fmt.Errorf("unexpected value %q", strings.TrimSpace(s))
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	return n << 10, err
}

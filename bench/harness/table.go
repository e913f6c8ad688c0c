package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// printTable writes the run's figures as one Markdown table, a column per
// store and size, every rate beside its ceiling.
func printTable(w io.Writer, cfg config, cols []column) {
	head := []string{"measure"}
	for _, c := range cols {
		head = append(head, fmt.Sprintf("%s, %s messages", c.store, count(c.size)))
	}
	rows := [][]string{head, make([]string, len(head))}
	for i := range rows[1] {
		rows[1][i] = "---"
	}
	add := func(name string, cell func(c column) string) {
		row := []string{name}
		for _, c := range cols {
			row = append(row, cell(c))
		}
		rows = append(rows, row)
	}
	add("raw insert ceiling (1 KB rows/s)", func(c column) string {
		return fmt.Sprintf("%s (%s rows)", count(int64(c.ceiling)), count(c.rows))
	})
	add("import (messages/s) ÷ ceiling", func(c column) string {
		return fmt.Sprintf("%s in %s: **%.2f**", count(int64(c.importRate)), c.importTime.Round(100*time.Millisecond), c.importRate/c.ceiling)
	})
	page := func(name, ceiling string) {
		add(name+": req/s ÷ ceiling, p50 / p99", func(c column) string {
			r := c.loads[name]
			s := fmt.Sprintf("%s, %s / %s", count(int64(r.PerSecond)), ms(r.P50), ms(r.P99))
			if ceiling != "" {
				s = fmt.Sprintf("%s **%.2f**, %s / %s", count(int64(r.PerSecond)), r.PerSecond/c.loads[ceiling].PerSecond, ms(r.P50), ms(r.P99))
			}
			return s
		})
	}
	for k, kind := range kinds {
		ceiling := []string{staticWindow, staticMessage}[k]
		page(ceiling, "")
		for _, pos := range positions {
			page(loadName(kind, pos.name), ceiling)
		}
		add(kind+": p50 first / middle / last, largest ÷ smallest", func(c column) string {
			var p50 []time.Duration
			for _, pos := range positions[:3] {
				p50 = append(p50, c.loads[loadName(kind, pos.name)].P50)
			}
			return fmt.Sprintf("**%.2f**", float64(slices.Max(p50))/float64(slices.Min(p50)))
		})
	}
	page(posting, "")
	for _, kind := range searchKinds {
		add(searchName(kind.name)+" (1 client): p50 / p95 / p99", func(c column) string {
			r := c.loads[searchName(kind.name)]
			return fmt.Sprintf("%s / %s / %s", ms(r.P50), ms(r.P95), ms(r.P99))
		})
	}
	page(besideCostly, staticWindow)
	add(costlySearch+": answered 503 (stopped), p50 / p99; other answers", func(c column) string {
		r := c.loads[costlySearch]
		return fmt.Sprintf("%s, %s / %s; %d", count(int64(r.Requests)), ms(r.P50), ms(r.P99), r.Errors)
	})
	add("server RSS after the loads / peak (MB)", func(c column) string {
		return fmt.Sprintf("%d / %d", c.rss>>20, c.peak>>20)
	})
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintf(w, "\n%d connections, %s measured after %s of warm-up per load; page sizes: window %s, message %s.\n",
		cfg.conns, cfg.duration, cfg.warmup, pageSize(cols, staticWindow), pageSize(cols, staticMessage))
}

func pageSize(cols []column, name string) string {
	if len(cols) == 0 {
		return "?"
	}
	r := cols[0].loads[name]
	if r.Requests == 0 {
		return "?"
	}
	return fmt.Sprintf("%.1f KB", float64(r.Bytes)/float64(r.Requests)/1024)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// count writes n with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

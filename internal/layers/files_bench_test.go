package layers

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkManyFiles merges two layers of small files, the second
// overwriting half of the first and deleting a directory. Memory grows
// with the number of files (peak-heap-MiB, sampled every millisecond
// above the heap in use before the run), never with their bytes.
func BenchmarkManyFiles(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			var ents0, ents1 []ent
			for i := range n {
				ents0 = append(ents0, ent{fmt.Sprintf("usr/lib/python3/site-packages/pkg%d/module%d.py", i/100, i), 1000})
			}
			for i := 0; i < n; i += 2 {
				ents1 = append(ents1, ent{fmt.Sprintf("usr/lib/python3/site-packages/pkg%d/module%d.py", i/100, i), 1000})
			}
			ents1 = append(ents1, ent{"usr/lib/python3/site-packages/.wh.pkg7", 0})
			ls := []Layer{blobLayer(gz(b, tarOf(b, ents0...)), nil), blobLayer(gz(b, tarOf(b, ents1...)), nil)}

			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapInuse
			var peak atomic.Uint64
			stop, done := make(chan struct{}), make(chan struct{})
			go func() {
				defer close(done)
				var ms runtime.MemStats
				for {
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peak.Load() {
						peak.Store(ms.HeapInuse)
					}
					select {
					case <-stop:
						return
					case <-time.After(time.Millisecond):
					}
				}
			}()
			b.ResetTimer()
			for range b.N {
				info, err := Analyze(b.Context(), ls, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if info.Layers[0].Files != n {
					b.Fatal(info.Layers[0].Files)
				}
			}
			b.StopTimer()
			close(stop)
			<-done
			b.ReportMetric(float64(n+n/2+1)*float64(b.N)/b.Elapsed().Seconds()/1e3, "kentries/s")
			b.ReportMetric(float64(peak.Load()-min(base, peak.Load()))/(1<<20), "peak-heap-MiB")
		})
	}
}

package storetest

import "sync"

// Race runs every f at the same time: each waits on one gate, opened when
// all have started, so that the writes they make compete for the store.
func Race(fs ...func()) {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			f()
		}()
	}
	close(gate)
	wg.Wait()
}

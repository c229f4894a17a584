// Command benchbare is the yardstick of bench/run.sh: a bare net/http
// handler that answers every request with the JSON it is given, written as
// ready bytes, so plaza's figures can be compared with the cost of HTTP
// alone.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "address to listen on")
	body := flag.String("json", `{"code":0}`, "the JSON to answer")
	flag.Parse()
	if !json.Valid([]byte(*body)) {
		fmt.Fprintln(os.Stderr, "benchbare: -json is not JSON")
		os.Exit(2)
	}
	answer := []byte(*body + "\n")
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(answer)
	})
	fmt.Fprintln(os.Stderr, "benchbare listening on", *addr)
	if err := http.ListenAndServe(*addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "benchbare:", err)
		os.Exit(1)
	}
}

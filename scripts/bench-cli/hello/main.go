// Command hello is the start-up floor of any Go program: bench-cli compares
// dockvet's cold start on one small file with it.
package main

import "fmt"

func main() { fmt.Println("hello, world") }

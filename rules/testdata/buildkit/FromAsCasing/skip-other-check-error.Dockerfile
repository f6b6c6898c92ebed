#check=skip=ConsistentInstructionCasing;error=true
FROM alpine:3.20 as builder
run echo mixed casing

#check=skip=ConsistentInstructionCasing,FromAsCasing
FROM alpine:3.20 as builder
run echo mixed casing

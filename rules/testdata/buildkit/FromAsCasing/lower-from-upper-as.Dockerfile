from alpine:3.20 AS builder
run echo hi

from alpine:3.20 as runner

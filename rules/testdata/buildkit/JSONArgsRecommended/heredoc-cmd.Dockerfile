FROM alpine:3.20
CMD <<EOF
./server
EOF

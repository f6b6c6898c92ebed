FROM nothere:1
CMD ["x"]

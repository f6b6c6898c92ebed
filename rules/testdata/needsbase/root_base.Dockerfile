FROM postgres:16

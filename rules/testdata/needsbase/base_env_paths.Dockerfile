FROM team/base:1
COPY big.bin $APP/big.bin
RUN rm -f $APP/big.bin
VOLUME $APP/data
COPY seed $APP/data/seed

#!/usr/bin/env bash
cloudcore_status=`netstat -nlp | grep 10000 | wc -l`

if [ $cloudcore_status -gt 0 ] ; then
    exit 0
else
    exit 1
fi

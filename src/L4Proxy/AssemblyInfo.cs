namespace CloudCoreLb.L4Proxy;

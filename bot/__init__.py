"""Back ends, shared services and the command line of the WeChat customer-service bot."""

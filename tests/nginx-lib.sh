nginx_stop() { :; }

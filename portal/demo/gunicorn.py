"""gunicorn settings for the demo (``make run``): one worker, so the in-process provider
sandboxes and the Platform Event subscriber are shared by every request."""
workers = 1
threads = 8


def post_worker_init(worker) -> None:
    from portal.provisioning.background import start_subscriber_thread

    start_subscriber_thread()


def worker_exit(server, worker) -> None:
    from portal.demo.sandboxes import stop_sandboxes

    stop_sandboxes()

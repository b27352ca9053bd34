"""``python -m kafkalab.lessons.request_response --port N --config JSON``: the HTTP service
(what :class:`~kafkalab.lessons.request_response.Service` starts in its child process)."""

from .server import main

if __name__ == "__main__":
    main()

"""An e-mail backend for the integration tests: builds each message like a real backend, then appends
"<outbox id> <pid>" to the file named by NOTIFICATIONS_TEST_MAIL_LOG, so a test can count deliveries made by
a separate worker process. NOTIFICATIONS_TEST_MAIL_DELAY (seconds) slows each delivery down, like SMTP."""

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class LogBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        delay = float(os.environ.get("NOTIFICATIONS_TEST_MAIL_DELAY", "0"))
        with open(os.environ["NOTIFICATIONS_TEST_MAIL_LOG"], "a", encoding="utf-8") as log:
            for message in email_messages:
                message.message().as_bytes()
                if delay:
                    time.sleep(delay)
                log.write(f"{message.extra_headers['X-Intervisie-Outbox']} {os.getpid()}\n")
                log.flush()
        return len(email_messages)

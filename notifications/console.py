"""The console mail backend of ``make run``, written to be read.

Django's console backend prints the message as it goes over the wire: a text part with long lines is
quoted-printable, so a link is cut with ``=`` at 76 characters and cannot be clicked or copied. This one
builds the same MIME message (so a message that would fail to build fails here too) and prints its main
headers, the text part decoded (every link on one line), and one line for each other part.
"""

from django.core.mail.backends import console

HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe")


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        mime = message.message()
        lines = [f"{name}: {mime[name]}" for name in HEADERS if mime[name] is not None]
        text, others = None, []
        for part in mime.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if text is None and part.get_content_type() == "text/plain" and not filename:
                text = part.get_content()
            else:
                others.append(f"[{part.get_content_type()}{f': {filename}' if filename else ''}]")
        self.stream.write("\n".join([*lines, "", (text or "").rstrip("\n"), "", *others]).rstrip("\n"))
        self.stream.write("\n" + "-" * 79 + "\n")

from django.dispatch import Signal

# Sent with ``user`` inside the transaction of a password reset request, for an active account that has a
# password. The notifications app queues the e-mail (accounts sends no mail itself).
password_reset_requested = Signal()

@RC-09 @must @auth @streaming
Feature: RC-09 (streaming) Rejects forged session webhooks
  A session configured with webhook_auth_header_name and _value (S-1) sends
  that header verbatim (D-8, S-3). Requests without it are forgeries.

  Background:
    Given the run is configured with an auth header (otherwise not applicable)

  Scenario: A session webhook with the right auth header is acknowledged
    When AssemblyAI delivers the webhook of a 1-minute streaming session
    Then the receiver acknowledges it with a 2xx within the deadline

  Scenario: A session webhook without the auth header is refused with a 4xx
    When a forged request arrives without the auth header
    Then the receiver refuses it with a 4xx

  Scenario: A session webhook with a wrong auth header value is refused with a 4xx
    When a forged request arrives with a wrong auth header value
    Then the receiver refuses it with a 4xx

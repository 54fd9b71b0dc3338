@RC-09 @must @auth
Feature: RC-09 Rejects forged requests
  When the team set webhook_auth_header_name and _value, every delivery
  carries that header verbatim (D-8). Requests without it are forgeries.

  Background:
    Given the run is configured with an auth header (otherwise not applicable)

  Scenario: A delivery with the right auth header is acknowledged
    When AssemblyAI delivers a "completed" transcript notification
    Then the receiver acknowledges it with a 2xx within the deadline

  Scenario: A request without the auth header is refused with a 4xx
    When a forged request arrives without the auth header
    Then the receiver refuses it with a 4xx

  Scenario: A request with a wrong auth header value is refused with a 4xx
    When a forged request arrives with a wrong auth header value
    Then the receiver refuses it with a 4xx

@RC-14 @must @https @streaming
Feature: RC-14 (streaming) Presents a certificate that verifies
  An https webhook_url must present a certificate that verifies, with TLS
  1.2 or later; otherwise every attempt fails (P-4, S-3).

  Background:
    Given the run targets an https webhook URL and verifies its certificate (otherwise not applicable)

  Scenario: The TLS handshake of a session webhook verifies with TLS 1.2 or later
    When AssemblyAI connects to the webhook URL over TLS
    Then the certificate verifies and the TLS version is 1.2 or later

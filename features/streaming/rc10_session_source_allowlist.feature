@RC-10 @must @allowlist @streaming
Feature: RC-10 (streaming) Admits AssemblyAI's source address and refuses others
  Session webhooks come from the same fixed addresses as transcript
  notifications (D-7, S-3).

  Background:
    Given the run is configured with a source-address allowlist (otherwise not applicable)

  Scenario Outline: A session webhook from the <region> address is acknowledged
    Given the run is configured for the "<region>" region (otherwise not applicable)
    When AssemblyAI delivers the webhook of a 1-minute streaming session from the "<region>" address
    Then the receiver acknowledges it with a 2xx within the deadline

    Examples:
      | region |
      | us     |
      | eu     |

  Scenario: A session webhook from another address is refused with a 4xx
    When a forged request arrives from an address that is not AssemblyAI's
    Then the receiver refuses it with a 4xx

@RC-10 @must @allowlist
Feature: RC-10 Admits AssemblyAI's source address and refuses others
  Deliveries come from fixed addresses per region (D-7), shown either as
  X-Forwarded-For or as the socket's peer address (P-7).

  Background:
    Given the run is configured with a source-address allowlist (otherwise not applicable)

  Scenario Outline: A delivery from the <region> address is acknowledged
    Given the run is configured for the "<region>" region (otherwise not applicable)
    When AssemblyAI delivers a "completed" transcript notification from the "<region>" address
    Then the receiver acknowledges it with a 2xx within the deadline

    Examples:
      | region |
      | us     |
      | eu     |

  Scenario: A request from another address is refused with a 4xx
    When a forged request arrives from an address that is not AssemblyAI's
    Then the receiver refuses it with a 4xx

  Scenario: A request without X-Forwarded-For is refused with a 4xx, not a 5xx
    Given the run's allowlist reads X-Forwarded-For (otherwise not applicable)
    When a forged request arrives without X-Forwarded-For
    Then the receiver refuses it with a 4xx

@RC-10 @must @allowlist
Feature: RC-10 Admits AssemblyAI's source address and refuses others
  Deliveries come from fixed addresses per region (D-7), shown either as
  X-Forwarded-For or as the socket's peer address (P-7).

  Background:
    Given a source-address allowlist is declared

  Scenario Outline: A delivery from the <region> address is acknowledged
    Given the "<region>" region is selected
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
    Given the allowlist reads X-Forwarded-For
    When a forged request arrives without X-Forwarded-For
    Then the receiver refuses it with a 4xx

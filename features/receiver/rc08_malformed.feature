@RC-08
Feature: RC-08 Rejects malformed deliveries
  A malformed body cannot succeed on a retry: a 5xx or a timeout invites
  ten pointless attempts (D-4), a 2xx hides the problem, a 4xx ends it (D-5).
  These are probes, not AssemblyAI deliveries: one attempt each.

  @must
  Scenario Outline: A delivery with <body> gets no 5xx and no timeout
    When a delivery with <body> arrives
    Then the receiver neither fails with a 5xx nor times out

    Examples:
      | body                   |
      | invalid JSON           |
      | an empty body          |
      | no transcript_id       |

  @should
  Scenario Outline: A delivery with <body> is rejected with a 4xx
    When a delivery with <body> arrives
    Then the receiver rejects it with a 4xx

    Examples:
      | body                   |
      | invalid JSON           |
      | an empty body          |
      | no transcript_id       |

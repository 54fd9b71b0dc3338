@RC-08 @streaming
Feature: RC-08 (streaming) Rejects malformed deliveries at the session webhook URL
  A malformed body cannot succeed on a retry: a 5xx or a timeout invites
  ten pointless attempts (D-4, S-3), a 2xx hides the problem, a 4xx ends it
  (D-5). These are probes, not AssemblyAI deliveries: one attempt each.

  @must
  Scenario Outline: A session delivery with <body> gets no 5xx and no timeout
    When a delivery with <body> arrives
    Then the receiver neither fails with a 5xx nor times out

    Examples:
      | body                   |
      | invalid JSON           |
      | an empty body          |
      | no session_id          |

  @should
  Scenario Outline: A session delivery with <body> is rejected with a 4xx
    When a delivery with <body> arrives
    Then the receiver rejects it with a 4xx

    Examples:
      | body                   |
      | invalid JSON           |
      | an empty body          |
      | no session_id          |

@RC-23 @should @serial @streaming
Feature: RC-23 Acknowledges the longest session's webhook fast
  Parsing megabytes (S-5) before answering is how a receiver that is fast
  with small bodies misses the 10 s deadline (D-3) under load. Runs alone,
  so other scenarios do not skew the time.

  Scenario: The webhook of the longest session is acknowledged within the latency budget
    When AssemblyAI delivers the webhook of the longest streaming session
    Then the receiver acknowledges it within the latency budget

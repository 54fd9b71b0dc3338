@RC-03 @should @serial
Feature: RC-03 Acknowledges fast
  A receiver that answers near the 10 s deadline (D-3) will miss it under
  load. Runs alone, so other scenarios do not skew the timings.

  Scenario: The p95 acknowledgement time of 20 sequential deliveries is within the budget
    When AssemblyAI delivers 20 "completed" transcript notifications one after another
    Then every delivery is acknowledged with a 2xx within the deadline
    And the p95 acknowledgement time is within the latency budget

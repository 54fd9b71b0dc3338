@RC-11 @must @serial
Feature: RC-11 Acknowledges a burst of concurrent notifications
  Batch jobs finish many transcripts at once. A 429 is a 4xx and is never
  retried (D-5, P-6): a rate limiter in front of the webhook loses
  notifications. Runs alone, so other scenarios do not add load.

  Scenario: A burst of concurrent notifications is acknowledged in full
    When AssemblyAI delivers a burst of concurrent "completed" transcript notifications
    Then every delivery is acknowledged with a 2xx within the deadline

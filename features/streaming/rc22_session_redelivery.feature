@RC-22 @must @streaming @long
Feature: RC-22 Acknowledges a redelivery of the same session_id
  A session webhook is retried like a transcript notification (S-3, D-4),
  even when the receiver stored the first attempt, so the same session_id
  arrives again one retry interval later.

  Scenario: A session webhook redelivered one retry interval later is acknowledged with a 2xx
    When AssemblyAI delivers the webhook of a 1-minute streaming session
    And AssemblyAI delivers the same session webhook again after the retry interval
    Then every delivery is acknowledged with a 2xx within the deadline

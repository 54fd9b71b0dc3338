@RC-06 @should
Feature: RC-06 Tolerates unknown extra fields
  The payload is {"transcript_id","status"} today (D-2); a receiver that
  rejects fields it does not know would lose notifications (D-5) the day
  the payload grows.

  Scenario: A notification with extra fields is acknowledged with a 2xx
    When AssemblyAI delivers a transcript notification with extra fields
    Then the receiver acknowledges it with a 2xx within the deadline

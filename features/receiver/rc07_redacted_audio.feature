@RC-07 @must
Feature: RC-07 Survives the redacted-audio notification
  With PII audio redaction, a second notification without transcript_id
  goes to the same URL (D-11).

  Scenario: The redacted-audio notification gets no 5xx and no timeout
    When AssemblyAI delivers a redacted-audio notification
    Then the receiver neither fails with a 5xx nor times out

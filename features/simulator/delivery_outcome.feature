# The sender's schedule: when a delivery ends and how. Rules from
# docs/spec.md; every scenario is tagged with the rule
# it checks. Time is virtual: the full 190 s schedule runs in milliseconds.
Feature: Delivery outcome and retry schedule
  AssemblyAI posts a notification, waits 10 s for a 2xx, and retries up to
  10 attempts in total, 10 s apart, except after a 4xx.

  @D-1 @D-3
  Scenario: A 2xx on the first attempt ends the delivery after one attempt
    Given a receiver that answers 200
    When a "completed" transcript notification is delivered
    Then the delivery is "delivered" after 1 attempt
    And the receiver got 1 request
    And every request was a POST with a JSON body

  @D-5 @P-6
  Scenario Outline: A <code> ends the delivery after one attempt, never retried
    Given a receiver that answers <code>
    When a "completed" transcript notification is delivered
    Then the delivery is "rejected" after 1 attempt
    And the receiver got 1 request
    And webhook_status_code is <code>

    Examples:
      | code |
      | 400  |
      | 401  |
      | 404  |
      | 408  |
      | 410  |
      | 429  |
      | 499  |

  @D-4 @D-6 @P-2
  Scenario Outline: A <code> on every attempt runs all 10 attempts 10 s apart
    Given a receiver that answers <code>
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And the attempts start at 0, 10, 20, 30, 40, 50, 60, 70, 80, 90 seconds
    And the delivery ends 90 seconds after it started

    Examples:
      | code |
      | 500  |
      | 502  |
      | 503  |

  @D-4
  Scenario: Three failures then a 200 end after 4 attempts
    Given a receiver that fails the first 3 deliveries with 500, then answers 200
    When a "completed" transcript notification is delivered
    Then the delivery is "delivered" after 4 attempts
    And the attempts start at 0, 10, 20, 30 seconds
    And webhook_status_code is 200

  @D-3 @P-1 @P-2
  Scenario: A receiver that never answers times out on every attempt
    Given a receiver that never answers
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And every attempt failed with "timeout" after 10 seconds
    And the attempts start at 0, 20, 40, 60, 80, 100, 120, 140, 160, 180 seconds
    And the delivery ends 190 seconds after it started

  @D-3 @P-1
  Scenario Outline: The deadline is 10 s: an answer after <delay> s is <outcome>
    Given a receiver that answers 200 after <delay> seconds
    When a "completed" transcript notification is delivered
    Then the first attempt <result>

    Examples:
      | delay | outcome   | result                       |
      | 9.9   | delivered | succeeded after 9.9 seconds  |
      | 10.1  | too late  | failed with "timeout"        |

  @P-4
  Scenario: Refused connections are retried
    Given no receiver is listening
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And every attempt failed with "connection_refused"
    And the attempts start at 0, 10, 20, 30, 40, 50, 60, 70, 80, 90 seconds

  @P-4
  Scenario: A receiver that resets the connection is retried
    Given a receiver that resets the connection
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And every attempt failed with "connection_reset"

  @P-3
  Scenario: A redirect is not followed and counts as a failure that is retried
    Given a receiver that redirects every delivery
    When a "completed" transcript notification is delivered
    Then the delivery is "exhausted" after 10 attempts
    And the receiver got 10 requests
    And webhook_status_code is 302

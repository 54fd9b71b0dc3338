@RC-05 @must @streaming
Feature: RC-05 (streaming) Keeps working with metadata query parameters
  A session's webhook_url is given on the WebSocket URL (S-1); the query
  parameters the team put in it arrive unchanged (D-9).

  Scenario Outline: A session webhook URL with <what> still gets a 2xx
    When AssemblyAI delivers the webhook of a 1-minute streaming session to the webhook URL with the query "<query>"
    Then the receiver acknowledges it with a 2xx within the deadline

    Examples:
      | what                          | query                                  |
      | customer metadata             | customer_id=1234&order_id=5678         |
      | encoded and repeated values   | name=J%C3%BCrgen+M%C3%BCller&tag=a&tag=b |

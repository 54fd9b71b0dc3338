Feature: What a delivery carries
  The request a receiver gets: method, body, headers, auth header, query
  string and source address, exactly as AssemblyAI sends them.

  @D-1 @D-2
  Scenario Outline: The transcript-ready body has exactly transcript_id and status
    Given a receiver that answers 200
    When a "<status>" transcript notification for transcript "9ea68fd3-f953-42c1-9742-976c447fb463" is delivered
    Then the receiver got 1 request
    And the request body is exactly:
      """
      {"transcript_id":"9ea68fd3-f953-42c1-9742-976c447fb463","status":"<status>"}
      """

    Examples:
      | status    |
      | completed |
      | error     |

  @D-11
  Scenario: The redacted-audio notification has no transcript_id
    Given a receiver that answers 200
    When a redacted-audio notification for "https://cdn.example/redacted.wav" is delivered
    Then the request body is exactly:
      """
      {"status":"redacted_audio_ready","redacted_audio_url":"https://cdn.example/redacted.wav"}
      """

  @D-12
  Scenario: The historic header set
    Given a receiver that answers 200
    And the source address is shown as "none"
    When a "completed" transcript notification is delivered
    Then the request has the header "Content-Type" with value "application/json"
    And the request has the header "Accept" with value "*/*"
    And the request has the header "Accept-Encoding" with value "gzip, deflate"
    And the request has the header "User-Agent" with value "python-requests/2.25.1"
    And the request has the header "Content-Length" with value "77"
    And the request has no header "X-Forwarded-For"

  @D-8
  Scenario: The auth header is sent verbatim on every attempt when configured
    Given a receiver that fails the first 2 deliveries with 500, then answers 200
    And the auth header "X-AAI-Webhook-Secret" is configured with value "s3cr3t value/with+symbols"
    When a "completed" transcript notification is delivered
    Then the receiver got 3 requests
    And every request has the header "X-AAI-Webhook-Secret" with value "s3cr3t value/with+symbols"
    And the delivery record does not contain "s3cr3t value/with+symbols"

  @D-8
  Scenario: No auth header is sent when none is configured
    Given a receiver that answers 200
    When a "completed" transcript notification is delivered
    Then the request has no header "X-AAI-Webhook-Secret"
    And the request has no header "Authorization"

  @D-9
  Scenario Outline: The webhook URL's query string arrives byte for byte
    Given a receiver that answers 200
    When a "completed" transcript notification is delivered to the path "<uri>"
    Then the request URI is exactly "<uri>"

    Examples:
      | uri                                               |
      | /webhook?customer_id=1234&order_id=5678           |
      | /webhook?a=1&a=2&a=                               |
      | /webhook?empty=&flag&=novalue                     |
      | /webhook?name=J%C3%BCrgen+M%C3%BCller&sp=a%20b+c  |
      | /webhook?path=%2Fx%2Fy&q=%3F%26%3D&odd=%zz        |
      | /hooks/aai/?x=1;y=2                               |

  @D-7 @P-7
  Scenario Outline: The <region> source address is shown as X-Forwarded-For
    Given a receiver that answers 200
    And the region is "<region>"
    When a "completed" transcript notification is delivered
    Then the request has the header "X-Forwarded-For" with value "<address>"

    Examples:
      | region | address      |
      | us     | 44.238.19.20 |
      | eu     | 54.220.25.36 |

  @D-7 @P-7
  Scenario: The source address can be a bound loopback address
    Given a loopback receiver that answers 200
    And the source address is shown as "bind:127.0.0.2"
    When a "completed" transcript notification is delivered
    Then the receiver saw the peer address "127.0.0.2"
    And the request has no header "X-Forwarded-For"
